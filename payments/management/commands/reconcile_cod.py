"""manage.py reconcile_cod FILE — match the post's COD remittance register against our collected COD payments."""

import getpass
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.models import CodLineOutcome
from payments.reconcile import (
    BATCH,
    RegisterInvalid,
    cod_reconcile,
    reconciliation_earlier_loads,
    reconciliation_lines,
)
from storefront.core.money import format_money

Outcome = CodLineOutcome
# What the report lists line by line (the matched ones are only counted).
DETAILED = [
    Outcome.MALFORMED,
    Outcome.AMOUNT_MISMATCH,
    Outcome.UNKNOWN_TRACKING,
    Outcome.NOT_COLLECTED,
    Outcome.DUPLICATE_IN_FILE,
    Outcome.ALREADY_REMITTED,
    Outcome.NOT_REMITTED,
]


class Command(BaseCommand):
    help = (
        "Сверить реестр перечислений наложенных платежей почты (CSV: ШПИ; сумма; плата; дата перевода; номер "
        "платёжного поручения) с полученными наложенными платежами. Итог сохраняется в админке (сверки наложенных "
        "платежей); строка, уже учтённая раньше, второй раз не учитывается; ошибочные строки выводятся с номером и "
        "причиной, остальные обрабатываются."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="реестр перечислений (CSV, «;» или «,», UTF-8 или windows-1251)")
        parser.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "cp1251"], help="по умолчанию — определить")
        parser.add_argument("--delimiter", choices=[";", ","], help="по умолчанию — по первой строке")
        parser.add_argument(
            "--remit-days", type=int, help="через сколько дней полученный платёж считается неперечисленным"
        )
        parser.add_argument("--show", type=int, default=50, help="сколько строк каждого исхода вывести (50)")
        parser.add_argument("--batch-size", type=int, default=BATCH, help="строк на один запрос к базе")

    def handle(self, *args, file, encoding, delimiter, remit_days, show, batch_size, **options):
        started = time.monotonic()
        try:
            recon = cod_reconcile(
                path=file,
                actor_label=f"manage.py ({getpass.getuser()})",
                remit_days=remit_days,
                encoding=encoding,
                delimiter=delimiter,
                batch_size=batch_size,
            )
        except RegisterInvalid as exc:
            raise CommandError(f"{file}: {exc} Ничего не загружено.") from None
        except OSError as exc:
            raise CommandError(f"не удалось прочитать {file}: {exc.strerror}") from None
        elapsed = time.monotonic() - started
        write = self.stdout.write
        write(
            f"Сверка №{recon.pk}: {file} ({recon.encoding}, «{recon.delimiter}»), строк: {recon.lines_total}, "
            f"{elapsed:.1f} с."
        )
        for earlier in reconciliation_earlier_loads(recon=recon):
            write(
                self.style.WARNING(
                    f"Этот файл уже загружали: сверка №{earlier.pk} от "
                    f"{timezone.localtime(earlier.started_at):%d.%m.%Y %H:%M}. Учтённые тогда строки не учтены снова."
                )
            )
        width = max(len(str(label)) for label in Outcome.labels)
        write("")
        write(f"{'Исход':<{width}}  {'строк':>8}")
        for outcome in Outcome:
            write(f"{outcome.label:<{width}}  {recon.count(outcome):>8}")
        write(
            f"Сумма в файле: {format_money(recon.amount_total)}, плата почты: {format_money(recon.fee_total)}, "
            f"учтено сейчас: {format_money(recon.applied_amount)}."
        )
        for outcome in DETAILED:
            total = recon.count(outcome)
            if not total:
                continue
            write("")
            write(self.style.WARNING(f"{outcome.label} ({total}):"))
            for line in reconciliation_lines(recon=recon, outcomes=[outcome], limit=show):
                where = f"строка {line.line_no}" if line.line_no else "—"
                parts = [where, line.tracking_number or "", format_money(line.amount) if line.amount else ""]
                if line.expected_amount is not None and outcome != Outcome.NOT_REMITTED:
                    parts.append(f"ждали {format_money(line.expected_amount)}")
                if line.expected_amount is not None and outcome == Outcome.NOT_REMITTED:
                    parts.append(format_money(line.expected_amount))
                parts.append(line.error)
                write("  " + " · ".join(p for p in parts if p))
            if total > show:
                write(f"  … и ещё {total - show}: см. админку, сверка №{recon.pk}")
