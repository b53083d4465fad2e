FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=storefront.settings.production
WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY . .
RUN pip install --no-cache-dir -r requirements.lock && SECRET_KEY=build ALLOWED_HOSTS=x python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 store && chown -R store /app
USER store
EXPOSE 8000
CMD ["gunicorn", "storefront.wsgi", "-b", "0.0.0.0:8000", "--access-logfile", "-"]
