"""Dates as the users read them, pure Python."""
import datetime


def format_date(date):
    """A date (``datetime.date`` or Odoo's ``YYYY-MM-DD`` string) as the users read it in messages: ДД.ММ.ГГГГ;
    '' for no date."""
    if not date:
        return ''
    if isinstance(date, str):
        date = datetime.datetime.strptime(date[:10], '%Y-%m-%d').date()
    return date.strftime('%d.%m.%Y')
