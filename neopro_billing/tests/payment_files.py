"""Build bank registry files in memory, as the banks send them (XLSX, XLS, CSV, 1C statement, DBF).

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


def statement_1c(header, documents, encoding='cp1251', capitals=False, newline='\r\n'):
    """A 1CClientBankExchange statement: ``header`` and each document as lists of ``(key, value)``; a value with
    a newline runs over several lines, as Kazpost writes long purposes. ``capitals``: keys in capitals."""
    def key(name):
        return name.upper() if capitals else name
    lines = ['1CClientBankExchange']
    lines += ['%s=%s' % (key(k), v) for k, v in header]
    for kind, fields in documents:
        lines.append('%s=%s' % (key('СекцияДокумент'), kind))
        lines += ['%s=%s' % (key(k), v.replace('\n', newline)) for k, v in fields]
        lines.append(key('КонецДокумента'))
    lines.append(key('КонецФайла'))
    return (newline.join(lines) + newline).encode(encoding)


KAZPOST_DBF_FIELDS = ('DAT D; KODBN C(11); NUMRS C(20); TSH C(7); BIN C(12); SUMP N(14,2); NAME_POL C(40); '
                      'NAZN_PL C(70); KODD C(6); FL C(1); KBE C(2); KNP C(3); IIN_ABON C(12); FIO C(40)')


def kazpost_dbf(rows, codepage='cp866'):
    """A Kazpost payment-order DBF (EXCHANGE_FORMATS.md): rows of the 14 published columns."""
    import os
    import tempfile

    import dbf
    directory = tempfile.mkdtemp(prefix='neopro_dbf_')
    path = os.path.join(directory, 'registry.dbf')
    table = dbf.Table(path, KAZPOST_DBF_FIELDS, codepage=codepage)
    table.open(dbf.READ_WRITE)
    for row in rows:
        table.append(tuple(row))
    table.close()
    with open(path, 'rb') as fh:
        data = fh.read()
    os.unlink(path)
    os.rmdir(directory)
    return data


# The public Kazpost test vector of EXCHANGE_FORMATS.md (April 2024), its first document, and ours.
GOLDEN_1C_KAZPOST_HEADER = [
    ('ВерсияФормата', '1.02'), ('Кодировка', 'Windows'), ('Отправитель', 'АО "Казпочта"'),
    ('ДатаНачала', '01.04.2024'), ('ДатаКонца', '30.04.2024'), ('РасчСчет', 'KZ19563D350000091934'),
    ('НачальныйОстаток', '455336.52'), ('ВсегоПоступило', '1022238.68'), ('ВсегоСписано', '856308.00'),
    ('КонечныйОстаток', '621267.20'),
]
GOLDEN_1C_KAZPOST_DOCUMENTS = [
    ('Платежное поручение', [
        ('Номер', '2359591'), ('ДатаДокумента', '02.04.2024'), ('СуммаПриход', '5490.39'),
        ('ПлательщикНаименование', 'АО "KASPI BANK"'), ('ПлательщикБИН_ИИН', '971240001315'),
        ('ПолучательСчет', 'KZ19563D350000091934'),
        ('НазначениеПлатежа', "Согласно ведомости распределения '2359591' от 01/04/2024Оплата ком. услуг")]),
    ('Платежное поручение', [
        ('Номер', '118'), ('ДатаДокумента', '03.04.2024'), ('СуммаПриход', '3 200.00'),
        ('ПлательщикНаименование', 'Фролов Степан Иванович'), ('ПлательщикБИН_ИИН', '850101300123'),
        ('НазначениеПлатежа', 'Оплата за воду ЛС 12345\nза март 2024')]),
    ('Платежное поручение', [
        ('Номер', '119'), ('ДатаДокумента', '03.04.2024'), ('СуммаРасход', '856308.00'),
        ('ПлательщикНаименование', 'ГКП "Водоканал"'), ('НазначениеПлатежа', 'Оплата по договору Л/С 777')]),
    ('Платежное поручение', [
        ('Номер', '120'), ('ДатаДокумента', '04.04.2024'), ('СуммаПриход', '1500,50'),
        ('ПлательщикНаименование', 'Соколова Светлана'), ('ПлательщикБИН_ИИН', '900202400456'),
        ('НазначениеПлатежа', 'Коммунальные услуги, лицевой счет №5555')]),
    ('Платежное поручение', [
        ('Номер', '121'), ('ДатаДокумента', '31.04.2024'), ('СуммаПриход', '10.00'),
        ('ПлательщикНаименование', 'Рогов Григорий'), ('НазначениеПлатежа', 'Вода л/с 777')]),
]
GOLDEN_1C_UTF8_HEADER = [
    ('ВерсияФормата', '1.03'), ('Кодировка', 'UTF-8'), ('ДатаНачала', '01.10.2025'), ('ДатаКонца', '31.10.2025'),
    ('РасчСчет', 'KZ86125KZT5004100100'),
]
GOLDEN_1C_UTF8_DOCUMENTS = [
    ('Платежное поручение', [
        ('Номер', '5'), ('Дата', '20.10.2025'), ('ДатаДокумента', '20.10.2025'), ('Сумма', '4500.00'),
        ('ПлательщикСчет', 'KZ11722S000001234567'), ('Плательщик', 'Слуцкая Анна'),
        ('ПлательщикНаименование', 'Слуцкая Анна'), ('ПолучательСчет', 'KZ86125KZT5004100100'),
        ('НазначениеПлатежа', 'Оплата за воду ЛС 888 за октябрь')]),
    ('Платежное поручение', [
        ('Номер', '6'), ('ДатаДокумента', '21.10.2025'), ('Сумма', '1200.00'),
        ('ПлательщикСчет', 'KZ86125KZT5004100100'), ('ПолучательСчет', 'KZ11722S000009999999'),
        ('НазначениеПлатежа', 'Возврат ЛС 888')]),
    ('Мемориальный ордер', [
        ('Номер', '7'), ('ДатаДокумента', '22.10.2025'), ('Сумма', '0.00'),
        ('ПлательщикСчет', 'KZ11722S000001234567'), ('ПолучательСчет', 'KZ86125KZT5004100100'),
        ('ПлательщикНаименование', 'Слуцкая Анна'), ('НазначениеПлатежа', 'ЛС 888')]),
]
GOLDEN_KAZPOST_DBF_ROWS = [
    [datetime.date(2025, 10, 1), 'KPSTKZKA', 'KZ19563D350000091934', '0000001', '990140000483', 2500.00,
     'ГКП Водоканал', 'Оплата за воду ЛС 12345 за сентябрь', '000001', '1', '19', '856', '850101300123',
     'Фролов Степан'],
    [datetime.date(2025, 10, 1), 'KPSTKZKA', 'KZ19563D350000091934', '0000002', '990140000483', 780.40,
     'ГКП Водоканал', 'л/с 5555 водоотведение', '000002', '1', '19', '856', '900202400456', 'Соколова Светлана'],
    [datetime.date(2025, 10, 1), 'KPSTKZKA', 'KZ19563D350000091934', '0000003', '990140000483', 25.00,
     'ГКП Водоканал', 'Комиссионные банка', '000003', '1', '19', '856', '', ''],
    [datetime.date(2025, 10, 2), 'KPSTKZKA', 'KZ19563D350000091934', '0000004', '990140000483', 120.00,
     'ГКП Водоканал', 'Оплата коммунальных услуг', '000004', '1', '19', '856', '770303500789', 'Ерачина Наталья'],
    [datetime.date(2025, 10, 2), 'KPSTKZKA', 'KZ19563D350000091934', '0000005', '990140000483', 0.00,
     'ГКП Водоканал', 'ЛС 777', '000005', '1', '19', '856', '', 'Рогов Григорий'],
]


def write_golden_inputs(directory):
    """(Re)write the golden input files; their expected parse lives next to them as JSON."""
    import os
    files = {
        'kaspi_registry.xlsx': kaspi_xlsx(GOLDEN_KASPI_ROWS, total=4440.8),
        'kazpost_registry.xls': kazpost_xls(GOLDEN_KAZPOST_ROWS, total=1934.74),
        'generic_registry.csv': generic_csv(GOLDEN_GENERIC_ROWS),
        'statement_1c_kazpost.txt': statement_1c(GOLDEN_1C_KAZPOST_HEADER, GOLDEN_1C_KAZPOST_DOCUMENTS,
                                                 capitals=True),
        'statement_1c_kazpost_dos.txt': statement_1c(
            [(key, 'DOS' if key == 'Кодировка' else value) for key, value in GOLDEN_1C_KAZPOST_HEADER],
            GOLDEN_1C_KAZPOST_DOCUMENTS, encoding='cp866', capitals=True),
        'statement_1c_utf8.txt': statement_1c(GOLDEN_1C_UTF8_HEADER, GOLDEN_1C_UTF8_DOCUMENTS, encoding='utf-8',
                                              newline='\n'),
        'kazpost_dbf_registry.dbf': kazpost_dbf(GOLDEN_KAZPOST_DBF_ROWS),
    }
    for name, data in files.items():
        with open(os.path.join(directory, name), 'wb') as out:
            out.write(data)


if __name__ == '__main__':
    import os
    write_golden_inputs(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data'))
