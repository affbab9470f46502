"""The one exchange file reader (lib/file_parser.py): its XLSX reading gives what openpyxl's read-only mode gives,
and columns joined by + make one value."""
import datetime
import gc
import io
import itertools
import threading
import zipfile

import openpyxl
import xlsxwriter

from odoo.tests.common import TransactionCase

from ..lib import file_parser, payment_parser
from . import payment_files


def openpyxl_rows(data, sheet=None):
    """The rows as openpyxl's read-only mode gives them (the reference of the reader)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        worksheet = book[sheet] if sheet else book.worksheets[0]
        worksheet.reset_dimensions()
        return [(number, tuple(row)) for number, row in enumerate(worksheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def reader_rows(data, sheet=None):
    return [(number, tuple(row)) for number, row in file_parser.read_rows(data, {'file_type': 'xlsx',
                                                                                 'sheet': sheet})]


def handmade_xlsx(sheet_xml, strings_xml=None, date1904=False):
    """A minimal workbook written by hand: what other writers do (prefixes, inline strings, cells without a
    reference, phonetic runs) that openpyxl and xlsxwriter never write."""
    main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
    rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                         'relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
                         'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                         'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="'
                         'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                         '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.spreadsheetml.styles+xml"/></Types>')
        archive.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" '
                         'Target="xl/workbook.xml"/></Relationships>' % rel)
        archive.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" '
                         'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/sharedStrings" '
                         'Target="/xl/sharedStrings.xml"/><Relationship Id="rId3" Type="%s/styles" '
                         'Target="styles.xml"/></Relationships>' % (rel, rel, rel))
        archive.writestr('xl/workbook.xml', '<?xml version="1.0"?><x:workbook xmlns:x="%s" xmlns:r="%s">'
                         '<x:workbookPr date1904="%s"/><x:sheets><x:sheet name="Реестр" sheetId="1" r:id="rId1"/>'
                         '</x:sheets></x:workbook>' % (main, rel, '1' if date1904 else '0'))
        archive.writestr('xl/styles.xml', '<?xml version="1.0"?><styleSheet xmlns="%s"><numFmts count="1">'
                         '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="3">'
                         '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>' % main)
        archive.writestr('xl/sharedStrings.xml', '<?xml version="1.0"?><sst xmlns="%s">%s</sst>'
                         % (main, strings_xml or ''))
        archive.writestr('xl/worksheets/sheet1.xml', '<?xml version="1.0"?><x:worksheet xmlns:x="%s"><x:sheetData>'
                         '%s</x:sheetData></x:worksheet>' % (main, sheet_xml))
    return buffer.getvalue()


class TestXlsxReader(TransactionCase):
    """The XLSX rows of the reader are openpyxl's, value for value and row number for row number."""

    def assertSameAsOpenpyxl(self, data, sheet=None):
        expected = openpyxl_rows(data, sheet)
        self.assertEqual(reader_rows(data, sheet), expected)
        return expected

    def test_values_of_an_openpyxl_workbook(self):
        book = openpyxl.Workbook()
        first = book.active
        first.title = 'Платежи'
        first.append(['ЛС', 'Сумма', 'Дата', 'Время', 'Флаг'])
        first.append(['12345', 1234.56, datetime.date(2025, 9, 3), datetime.datetime(2025, 9, 3, 12, 30), True])
        first.append([5555, 10, datetime.datetime(2025, 9, 4), datetime.time(8, 15), False])
        first['J10'] = 'далеко'
        first['A12'] = '=1+2'
        first['B12'] = 1e20
        first['C12'] = -0.5
        first['D12'] = '  с пробелами  '
        second = book.create_sheet('Второй')
        second['C5'] = datetime.datetime(1900, 1, 15)
        buffer = io.BytesIO()
        book.save(buffer)
        rows = self.assertSameAsOpenpyxl(buffer.getvalue())
        self.assertEqual(rows[1], (2, ('12345', 1234.56, datetime.datetime(2025, 9, 3),
                                       datetime.datetime(2025, 9, 3, 12, 30), True)))
        self.assertEqual(rows[9], (10, (None,) * 9 + ('далеко',)))
        self.assertEqual(rows[3:9], [(n, ()) for n in range(4, 10)])  # empty rows keep the numbering
        self.assertEqual(self.assertSameAsOpenpyxl(buffer.getvalue(), 'Второй')[4],
                         (5, (None, None, datetime.datetime(1900, 1, 15))))

    def test_values_of_an_xlsxwriter_workbook(self):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {'in_memory': True})
        sheet = book.add_worksheet()
        bold = book.add_format({'bold': True})
        sheet.write_rich_string(0, 0, 'Фролов ', bold, 'Степан', ' И.')
        sheet.write_datetime(1, 0, datetime.datetime(2025, 9, 1), book.add_format({'num_format': 'dd.mm.yyyy'}))
        sheet.write_number(1, 1, 1.5, book.add_format({'num_format': '[h]:mm'}))
        sheet.write_formula(2, 0, '=1+1', None, 2)
        sheet.write_formula(2, 1, '="a"&"b"', None, 'ab')
        sheet.write_boolean(2, 2, True)
        sheet.write_formula(2, 3, '=1/0', None, '#DIV/0!')
        sheet.write_number(6, 0, 123456789012)
        book.close()
        rows = self.assertSameAsOpenpyxl(buffer.getvalue())
        self.assertEqual(rows[0], (1, ('Фролов Степан И.',)))
        self.assertEqual(rows[2], (3, (2, 'ab', True, '#DIV/0!')))

    def test_what_other_writers_write(self):
        strings = ('<si><t>ЛС</t></si><si><r><t>Фролов </t></r><r><rPr><b/></rPr><t>Степан</t></r>'
                   '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t xml:space="preserve"> 12345 </t></si>')
        sheet = ('<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>Дата'
                 '</x:t></x:is></x:c></x:row>'
                 '<x:row r="3"><x:c t="s"><x:v>1</x:v></x:c><x:c s="1"><x:v>45903</x:v></x:c><x:c s="2"><x:v>45904.5'
                 '</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>ЛС &amp; co</x:v></x:c>'
                 '<x:c t="e"><x:v>#N/A</x:v></x:c><x:c r="H3"/></x:row>'
                 '<x:row><x:c r="C4" t="n"><x:v>1E3</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c></x:row>')
        data = handmade_xlsx(sheet, strings)
        rows = self.assertSameAsOpenpyxl(data)
        self.assertEqual(rows, [
            (1, ('ЛС', 'Дата')), (2, ()),
            (3, ('Фролов Степан', datetime.datetime(2025, 9, 3), datetime.datetime(2025, 9, 4, 12), ' 12345 ',
                 'ЛС & co', '#N/A', None, None)),
            (4, (None, None, 1000.0, False)),
        ])
        self.assertSameAsOpenpyxl(handmade_xlsx('<x:row r="1"><x:c r="A1" s="1"><x:v>0</x:v></x:c></x:row>',
                                                date1904=True))

    def test_sheet_by_name_and_unreadable_files(self):
        data = handmade_xlsx('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>')
        self.assertEqual(reader_rows(data, 'Реестр'), [(1, (1,))])
        with self.assertRaises(file_parser.FileError) as error:
            reader_rows(data, 'Нет такого')
        self.assertEqual((error.exception.code, error.exception.detail), ('sheet', 'Нет такого'))
        with self.assertRaises(file_parser.FileError) as error:  # a row never closed: no XML
            reader_rows(handmade_xlsx('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'))
        self.assertEqual(error.exception.code, 'unreadable')
        with self.assertRaises(file_parser.FileError) as error:
            reader_rows(b'PK\x03\x04 no archive')
        self.assertEqual(error.exception.code, 'unreadable')

    def test_entities_not_expanded(self):
        """A sheet declaring entities (the "billion laughs") is not expanded into memory."""
        sheet = ('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>&lol9;</x:t></x:is></x:c></x:row>')
        data = handmade_xlsx(sheet)
        lol = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + ''.join(
            '<!ENTITY lol%d "%s">' % (n, ('&lol%d;' % (n - 1) if n > 1 else '&lol;') * 10) for n in range(1, 10)) + ']>'
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        parts['xl/worksheets/sheet1.xml'] = parts['xl/worksheets/sheet1.xml'].replace(
            b'<?xml version="1.0"?>', b'<?xml version="1.0"?>' + lol.encode())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as target:
            for name, content in parts.items():
                target.writestr(name, content)
        try:
            rows = reader_rows(buffer.getvalue())
        except file_parser.FileError as error:  # libxml2 refuses the entity loop: a file that cannot be read
            self.assertEqual(error.code, 'unreadable')
        else:
            self.assertLess(len(repr(rows)), 1000)


class TestJoinedColumns(TransactionCase):
    """``a+b``: one value of several columns (a statement document's number, date and payer as its id)."""

    SPEC = {'file_type': 'csv', 'delimiter': ';', 'header_row': 1, 'date_format': '%d.%m.%Y',
            'columns': {'account': 'ЛС', 'amount': 'Сумма', 'date': 'Дата', 'txn_id': 'Номер+Дата+ИИН|Счет'}}

    def _txn_ids(self, text, spec=None):
        return [line.txn_id for line in payment_parser.parse(text.encode(), spec or self.SPEC).lines]

    def test_joined_with_alternatives_and_empty_parts(self):
        text = ('ЛС;Сумма;Дата;Номер;Счет\r\n12345;10;01.09.2025;7;KZ 11 22\r\n12345;10;01.09.2025;7;\r\n'
                '12345;10;01.09.2025;;KZ11\r\n')
        self.assertEqual(self._txn_ids(text), ['7/01.09.2025/KZ1122', '7/01.09.2025', None])

    def test_first_part_missing_means_no_id(self):
        self.assertEqual(self._txn_ids('ЛС;Сумма;Дата\r\n12345;10;01.09.2025\r\n'), [None])


class TestStreamedLines(TransactionCase):
    """Lines read in a thread of their own, handed over in chunks (the payment import's pipeline)."""

    def test_chunks_then_the_whole_file_again(self):
        streamed = file_parser.StreamedLines(iter(range(25)), chunk_size=10)
        self.assertEqual([len(chunk) for chunk in streamed.chunks()], [10, 10, 5])
        self.assertTrue(streamed.complete)
        self.assertEqual(streamed.lines, list(range(25)))
        # read again (a booking retried after a concurrent load): the whole file, in one chunk
        self.assertEqual(list(streamed.chunks()), [list(range(25))])
        self.assertEqual(streamed.read_all(), list(range(25)))
        streamed.close()

    def test_first_chunk_smaller(self):
        streamed = file_parser.StreamedLines(iter(range(25)), chunk_size=10, first_chunk_size=3)
        self.assertEqual([len(chunk) for chunk in streamed.chunks()], [3, 10, 10, 2])
        streamed.close()

    def test_chunks_prepared_by_the_reader(self):
        """``prepare`` runs in the reader's thread on each chunk; its result comes with the chunk, and the reader
        closes it when it stops."""
        caller = threading.current_thread()

        class Prepare(object):
            def __init__(self):
                self.threads, self.closed_in = [], None

            def __call__(self, chunk):
                self.threads.append(threading.current_thread())
                return sum(chunk)

            def close(self):
                self.closed_in = threading.current_thread()

        prepare = Prepare()
        streamed = file_parser.StreamedLines(iter(range(25)), chunk_size=10, prepare=prepare)
        self.assertEqual(list(streamed.prepared_chunks()), [
            (list(range(10)), 45), (list(range(10, 20)), 145), (list(range(20, 25)), 110)])
        self.assertEqual(len(prepare.threads), 3)
        self.assertTrue(all(t is streamed._thread for t in prepare.threads))
        self.assertIs(prepare.closed_in, streamed._thread)
        self.assertIsNot(prepare.closed_in, caller)
        # the whole file again: not prepared (the caller prepares it itself)
        self.assertEqual(list(streamed.prepared_chunks()), [(list(range(25)), None)])
        streamed.close()

    def test_no_prepare_once_stopped(self):
        prepared = []
        streamed = file_parser.StreamedLines(iter(range(100)), chunk_size=10, prepare=prepared.append)
        first = next(streamed.prepared_chunks())
        streamed.stop_preparing()
        self.assertEqual(streamed.read_all(), list(range(100)))
        streamed.close()
        self.assertEqual(first[0], list(range(10)))
        # the first chunk, the two queued behind it and the one waiting to be queued were prepared, of ten
        self.assertLessEqual(len(prepared), 4)
        self.assertEqual(prepared[:1], [list(range(10))])

    def test_a_prepare_error_reaches_the_caller(self):
        def prepare(chunk):
            if chunk[0] >= 10:
                raise file_parser.FileError('lookup', str(chunk[0]))
            return len(chunk)

        streamed = file_parser.StreamedLines(iter(range(25)), chunk_size=10, prepare=prepare,
                                             on_error=lambda exc: ValueError(exc.detail))
        got = []
        with self.assertRaisesRegex(ValueError, '^10$'):
            for item in streamed.prepared_chunks():
                got.append(item)
        self.assertEqual(got, [(list(range(10)), 10)])

    def test_collector_held_off_while_streamed(self):
        """Python's cyclic collector is off from the first stream until the last one is closed, and comes back as
        it was."""
        self.assertTrue(gc.isenabled())
        first = file_parser.StreamedLines(iter(range(5)), chunk_size=10)
        self.assertFalse(gc.isenabled())
        second = file_parser.StreamedLines(iter(range(5)), chunk_size=10)
        first.read_all()
        first.close()
        first.close()  # closing twice releases once
        self.assertFalse(gc.isenabled())
        second.close()
        self.assertTrue(gc.isenabled())
        # a stream dropped without close() gives the collector back all the same
        dropped = file_parser.StreamedLines(iter(range(5)), chunk_size=10)
        dropped.read_all()
        self.assertFalse(gc.isenabled())
        del dropped
        self.assertTrue(gc.isenabled())
        # dropped while its reader waits with the next chunks: the reader stops too
        alive = file_parser.StreamedLines(itertools.count(), chunk_size=10)
        try:
            self.assertEqual(next(alive.chunks()), list(range(10)))
        finally:
            reader = alive._thread
            del alive
        self.assertTrue(gc.isenabled())
        reader.join(5)
        self.assertFalse(reader.is_alive())
        # off before: stays off
        gc.disable()
        try:
            third = file_parser.StreamedLines(iter(range(5)), chunk_size=10)
            third.close()
            self.assertFalse(gc.isenabled())
        finally:
            gc.enable()

    def test_an_error_reaches_the_caller_at_its_chunk(self):
        def lines():
            for number in range(12):
                yield number
            raise file_parser.FileError('rows', '12')

        streamed = file_parser.StreamedLines(lines(), chunk_size=5, on_error=lambda exc: ValueError(exc.code))
        got = []
        with self.assertRaisesRegex(ValueError, 'rows'):
            for chunk in streamed.chunks():
                got.append(chunk)
        self.assertEqual(got, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
        with self.assertRaisesRegex(ValueError, 'rows'):
            streamed.read_all()

    def test_closed_reader_stops(self):
        streamed = file_parser.StreamedLines(iter(range(1000000)), chunk_size=10)
        first = next(streamed.chunks())
        streamed.close()
        streamed._thread.join(5)
        self.assertEqual(first, list(range(10)))
        self.assertFalse(streamed._thread.is_alive())
        self.assertLess(len(streamed.lines), 1000)

    def test_payment_lines_read_lazily_as_parse_reads_them(self):
        data = payment_files.generic_csv(payment_files.GOLDEN_GENERIC_ROWS)
        spec = self.env.ref('neopro_billing.payment_format_generic_csv')._get_parser_spec()
        table, lines = payment_parser.read_lines(data, spec)
        parsed = payment_parser.parse(data, spec)
        self.assertEqual(list(lines), parsed.lines)
        self.assertEqual((table.header_row, table.skipped), (parsed.header_row, parsed.skipped))
        self.assertEqual(len(parsed.lines), 5)
