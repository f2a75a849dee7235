"""Decoded records as JSON can hold them: decimals as text, dates and times
as ISO 8601 text, nested records likewise (the readers' shared helper)."""
import datetime
import decimal


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v
