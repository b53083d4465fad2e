"""Files ops load into the catalog: the Central Bank's daily rates (cbr.py) and YML feeds (yml.py, yml_import.py)."""
