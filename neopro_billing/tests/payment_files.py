"""Build bank registry files in memory, as the banks send them (XLSX, XLS, CSV).

Used by the tests and by bench/bench_payment_import.py; ``python payment_files.py`` rewrites the golden
input files in tests/data from the same rows.
"""
import csv
import datetime
import io

KASPI_HEADER = ['№ п/п', 'Дата платежа', 'Номер квитанции/транзакции', 'Лицевой счет', 'ФИО плательщика', 'Адрес',
                'Сумма', 'Комиссия']
KAZPOST_HEADER = ['№', 'Дата оплаты', 'Номер квитанции', 'Лицевой счет', 'ФИО', 'Адрес', 'Вид услуги', 'Сумма']
GENERIC_HEADER = ['account_number', 'payer_name', 'amount', 'date', 'txn_id']


def kaspi_xlsx(rows, title='Реестр платежей АО "Kaspi Bank" за 09.09.2025', total=None, constant_memory=False):
    """A Kaspi registry: two title lines, a blank line, the header on row 4, ``rows``, an "Итого" line."""
    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {'in_memory': True, 'constant_memory': constant_memory})
    sheet = book.add_worksheet('Реестр')
    date_format = book.add_format({'num_format': 'dd.mm.yyyy hh:mm:ss'})
    sheet.write_row(0, 0, [title])
    sheet.write_row(1, 0, ['Поставщик: ГКП "Водоканал"'])
    sheet.write_row(3, 0, KASPI_HEADER)
    number = 4
    for number, row in enumerate(rows, 4):
        for col, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(number, col, value, date_format)
            elif value is not None:
                sheet.write(number, col, value)
    if total is not None:
        sheet.write_row(number + 2, 0, ['Итого:', None, None, None, None, None, total])
    book.close()
    return out.getvalue()


def kazpost_xls(rows, title='Реестр платежей АО "Казпочта"', total=None):
    """A Kazpost registry (Excel 97-2003): a title line, a blank line, the header on row 3, ``rows``, "Всего"."""
    import xlwt
    book = xlwt.Workbook(encoding='utf-8')
    sheet = book.add_sheet('Лист1')
    date_style = xlwt.easyxf(num_format_str='DD.MM.YYYY')
    sheet.write(0, 0, title)
    for col, value in enumerate(KAZPOST_HEADER):
        sheet.write(2, col, value)
    number = 2
    for number, row in enumerate(rows, 3):
        for col, value in enumerate(row):
            if isinstance(value, (datetime.date, datetime.datetime)):
                sheet.write(number, col, value, date_style)
            elif value is not None:
                sheet.write(number, col, value)
    if total is not None:
        sheet.write(number + 1, 0, 'Всего')
        sheet.write(number + 1, 7, total)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def generic_csv(rows, header=None, encoding='utf-8', delimiter=';'):
    """The generic CSV of RULES §11: ``account_number;payer_name;amount;date;txn_id`` (or the given header)."""
    out = io.StringIO(newline='')
    writer = csv.writer(out, delimiter=delimiter, lineterminator='\r\n')
    writer.writerow(GENERIC_HEADER if header is None else header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# Golden inputs: every kind of cell a registry holds, good and bad.
GOLDEN_KASPI_ROWS = [
    [1, '09.09.2025 10:15:00', 'K-1001', '12345', 'Фролов Степан', 'Testgrad, Test street, 2, 45', 1500.5, 0],
    [2, datetime.datetime(2025, 9, 9, 11, 0), 1002, 5555, 'Соколова Светлана', '', '2 340,00', 0],
    [3, '09.09.2025', 'K-1003', '99999', 'Ерачина Наталья', '', 100, 0],
    [4, '09.09.2025', 'K-1004', '12345', 'Фролов Степан', '', 'сто', 0],
    [5, '31.02.2025', 'K-1005', '5555', 'Соколова Светлана', '', 200, 0],
    [6, '09.09.2025', 'K-1001', '12345', 'Фролов Степан', '', 1500.5, 0],
    [7, '09.09.2025', 'K-1007', '12345', 'Фролов Степан', '', 0, 0],
    [8, '09.09.2025', 'K-1008', '777', 'Рогов Григорий', '', '300.10', 0],
    [9, '10.09.2025', 'K-1009', ' 888 ', '  Слуцкая   Анна ', '', 0.1 + 0.2, 0],
]
GOLDEN_KAZPOST_ROWS = [
    [1, datetime.date(2025, 9, 10), 'П-501', '12345', 'Фролов Степан', '', 'ХВС', 700.25],
    [2, '10.09.2025', 'П-502', '5555', 'Соколова Светлана', '', 'КАН', '1.234,50'],
    [3, '10.09.2025', 'П-503', '', 'Без счета', '', 'ХВС', 50],
    [4, 'вчера', 'П-504', '5555', 'Соколова Светлана', '', 'ГВС', -10],
    [5, '10.09.2025', 'П-505', '12345', 'Фролов Степан', '', 'Газ', 99.99],
]
GOLDEN_GENERIC_ROWS = [
    ['12345', 'Фролов Степан', '1 500,50', '11.09.2025', 'G-1'],
    ['5555', 'Соколова Светлана', '2340.00', '11.09.2025', 'G-2'],
    ['5555', 'Соколова Светлана', '12,345', '11.09.2025', 'G-3'],
    ['12345', 'Фролов Степан', '10', '2025-09-11', 'G-4'],
    ['', '', '', '', ''],
    ['777', 'Рогов Григорий', '1,234,567.89', '11.09.2025', ''],
]


def write_golden_inputs(directory):
    """(Re)write the golden input files; their expected parse lives next to them as JSON."""
    import os
    files = {
        'kaspi_registry.xlsx': kaspi_xlsx(GOLDEN_KASPI_ROWS, total=4440.8),
        'kazpost_registry.xls': kazpost_xls(GOLDEN_KAZPOST_ROWS, total=1934.74),
        'generic_registry.csv': generic_csv(GOLDEN_GENERIC_ROWS),
    }
    for name, data in files.items():
        with open(os.path.join(directory, name), 'wb') as out:
            out.write(data)


if __name__ == '__main__':
    import os
    write_golden_inputs(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data'))
