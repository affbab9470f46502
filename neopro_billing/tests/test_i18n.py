"""The Russian translation (i18n/ru.po) covers every source string of the add-on and loads into the database.

Post-install: Odoo exports the terms of Python code (``_()``) only for installed modules, and the module's
translations of the installed languages (the template has ru_RU) are loaded at the end of its installation.
"""
import io
import re

from odoo.modules.module import get_module_resource
from odoo.tests.common import at_install, post_install
from odoo.tools.translate import PoFile, trans_export

from .common import NeoproCase

# A Python %-placeholder: %s, %d, %(name)s, %.2f, %-10s …; "%%" is a literal percent sign. No space flag, so
# that "% per year" / "% годовых" is plain text.
PLACEHOLDER_RE = re.compile(r'%(?:\([^)]*\))?[#0+\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]')


def placeholders(text):
    """The %-placeholders of a string, in order; named ones sorted (a translation may reorder them)."""
    found = [p for p in PLACEHOLDER_RE.findall(text) if p != '%%']
    return sorted(found) if any(p.startswith('%(') for p in found) else found


def read_po(fileobj):
    """{msgid: msgstr} of a .po file object (bytes), read by Odoo's own reader."""
    return {entry[3]: entry[4] for entry in PoFile(fileobj)}


@at_install(False)
@post_install(True)
class TestI18n(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestI18n, cls).setUpClass()
        with open(get_module_resource('neopro_billing', 'i18n', 'ru.po'), 'rb') as po_file:
            cls.ru = read_po(po_file)
        cls.env_ru = cls.env(context=dict(cls.env.context, lang='ru_RU'))

    def _exported_terms(self):
        """Source strings of the module as `odoo-bin --i18n-export` (bin/i18n) finds them now.

        Names of demo records (installed here, not by bin/i18n) are data typed in Russian, not UI strings.
        """
        buf = io.BytesIO()
        trans_export(False, ['neopro_billing'], buf, 'po', self.env.cr)
        buf.seek(0)
        refs = {}
        for entry in PoFile(buf):
            refs.setdefault(entry[3], []).append(str(entry[2]))
        return {term for term, ids in refs.items() if not all(i.endswith('_demo') for i in ids)}

    def test_every_source_string_translated(self):
        terms = self._exported_terms()
        self.assertIn('Subscribers', terms)  # the export did find the module's terms
        missing = sorted(term for term in terms if not self.ru.get(term))
        self.assertFalse(missing, '%d source strings have no Russian translation in neopro_billing/i18n/ru.po '
                         '(run bin/i18n, then translate):\n%s' % (len(missing), '\n'.join(missing)))

    def test_placeholders_kept(self):
        wrong = ['%r -> %r' % (source, trad) for source, trad in sorted(self.ru.items())
                 if trad and placeholders(source) != placeholders(trad)]
        self.assertFalse(wrong, 'translations whose %%-placeholders differ from the source:\n%s' % '\n'.join(wrong))

    def test_menus_in_russian(self):
        self.assertTrue(self.env['res.lang']._lang_get('ru_RU'), 'ru_RU is not installed in the database')
        names = {xmlid: self.env_ru.ref('neopro_billing.' + xmlid).name
                 for xmlid in ('menu_root', 'menu_subscribers', 'menu_legal', 'menu_meters', 'menu_reference',
                               'menu_admin', 'menu_admin_address')}
        self.assertEqual(names, {
            'menu_root': 'Биллинг', 'menu_subscribers': 'Абоненты', 'menu_legal': 'Юрлица',
            'menu_meters': 'Счетчики', 'menu_reference': 'Справочники', 'menu_admin': 'Администрирование',
            'menu_admin_address': 'Добавить адрес',
        })

    def test_field_labels_and_selection_in_russian(self):
        fields = self.env_ru['neopro.subscriber'].fields_get(['account_number', 'name', 'residents',
                                                              'amenity_level_id', 'inspector_id'])
        self.assertEqual({name: f['string'] for name, f in fields.items()}, {
            'account_number': 'Лицевой счет', 'name': 'ФИО', 'residents': 'Проживает',
            'amenity_level_id': 'Степень благоустройства', 'inspector_id': 'Контролер',
        })
        selection = self.env_ru['neopro.operation'].fields_get(['operation_type'])['operation_type']['selection']
        self.assertEqual([label for _key, label in selection], ['Начисление', 'Платеж', 'Корректировка', 'Пеня'])
        self.assertEqual(self.env_ru.ref('neopro_billing.service_cold_water').short_name, 'ХВС')

    def test_shipped_file_formats_named_in_russian(self):
        """The formats and layouts the add-on ships read Russian in the import dialogs and file registries."""
        names = {xmlid: self.env_ru.ref('neopro_billing.' + xmlid).name
                 for xmlid in ('payment_format_kaspi_xlsx', 'payment_format_1c_statement',
                               'reading_format_generic_csv', 'reading_format_sheet_xlsx',
                               'debt_registry_format_kazpost_dbf')}
        self.assertEqual(names, {
            'payment_format_kaspi_xlsx': 'Реестр Kaspi Bank (XLSX)',
            'payment_format_1c_statement': 'Выписка банка 1С (1CClientBankExchange)',
            'reading_format_generic_csv': 'Показания, универсальный CSV',
            'reading_format_sheet_xlsx': 'Ведомость показаний (XLSX)',
            'debt_registry_format_kazpost_dbf': 'Реестр задолженности DBF (Казпочта)',
        })
        self.assertEqual(self.env.ref('neopro_billing.reading_format_generic_csv').name, 'Generic readings CSV')

    def test_code_message_in_russian(self):
        subscriber = self._create_subscriber('70001', 'Фролов Степан', premise=self.flat45)
        action = subscriber.with_context(lang='ru_RU').action_services()
        self.assertEqual(action['name'], 'Услуги абонента 70001 Фролов Степан')

    def test_all_field_labels_loaded(self):
        """Every field label the module defines reads in Russian (catches .po references gone stale)."""
        data = self.env['ir.model.data'].search([('module', '=', 'neopro_billing'), ('model', '=', 'ir.model.fields')])
        wrong = []
        for field in self.env['ir.model.fields'].browse(data.mapped('res_id')):
            if field.model not in self.env or field.name not in self.env[field.model]._fields:
                continue
            english = self.env[field.model]._fields[field.name].string
            expected = self.ru.get(english)
            got = self.env_ru[field.model].fields_get([field.name])[field.name]['string']
            if expected and got != expected:
                wrong.append('%s.%s: %r, expected %r' % (field.model, field.name, got, expected))
        self.assertFalse(wrong, 'field labels not in Russian in the database:\n%s' % '\n'.join(sorted(wrong)))
