"""The manual's main flows in a real browser (headless Chromium), on the demo data, in Russian.

Each test saves its last screen as test-artifacts/screenshot-<test>.png (the `browser` fixture).
"""
import datetime

import pytest
from conftest import local_today


@pytest.fixture
def admin(browser, demo):
    browser.login('admin', 'admin')
    return browser


def test_wrong_password_shows_the_warning(browser):
    browser.login('admin', 'not the password', wait=False)
    alert = browser.wait('.alert-danger')
    # the login page is always Russian: Odoo's own translation of "Wrong login/password"
    assert 'Неправильный Логин / Пароль' in alert.text, alert.text
    assert '/web/login' in browser.driver.current_url


def test_login_lands_in_the_billing_menu(admin):
    menu = admin.wait_text('.o_sub_menu', 'Абоненты')
    for entry in ('Юрлица', 'Счетчики', 'Справочники', 'Администрирование'):
        assert entry in menu.text


def test_find_subscriber_by_account_number_and_open_it(admin):
    admin.open_action('neopro_billing.neopro_subscriber_action')
    admin.search('12345')
    row = admin.wait_text('.o_data_row', 'Фролов Степан')
    assert 'Уральск, 4-й микрорайон, 2, 45' in row.text
    assert len(admin.driver.find_elements('css selector', '.o_data_row')) == 1
    row.click()
    admin.wait_text('.o_form_view .oe_title', '12345')
    form = admin.wait('.o_form_view')
    assert 'Фролов Степан' in form.text
    assert '9854' in form.text  # the meters panel lists the subscriber's meters


@pytest.mark.parametrize('text', ['Фролов', '4-й микрорайон, 2, 45', '9854'])
def test_find_subscriber_by_name_address_or_meter(admin, text):
    admin.open_action('neopro_billing.neopro_subscriber_action')
    admin.search(text)
    admin.wait_text('.o_data_row', '12345')


def test_enter_a_reading_in_the_meters_list(admin, odoo):
    meter_id = odoo.ref('neopro_billing.meter_6748_demo')
    before = odoo.call('neopro.meter', 'read', [meter_id], fields=['previous_value'])[0]['previous_value']
    admin.open_action('neopro_billing.neopro_meter_action')
    admin.search('6748')
    row = admin.wait_text('.o_data_row', '6748')
    cell = row.find_elements('css selector', 'td.o_data_cell')[7]  # the current-reading column
    cell.click()
    value = before + 7
    admin.type('.o_data_row input[name=current_value]', str(int(value)))
    admin.click('.o_list_button_save')
    admin.idle()
    admin.wait_gone('.o_data_row input[name=current_value]')
    row = admin.wait_text('.o_data_row', '6748')
    assert '7' in row.find_elements('css selector', 'td.o_data_cell')[8].text  # consumption
    today = local_today().strftime('%Y-%m-%d')
    readings = odoo.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter_id), ('date', '=', today)],
                         fields=['value'])
    assert [r['value'] for r in readings] == [value]


def test_verify_a_meter(admin, odoo):
    admin.open_action('neopro_billing.neopro_meter_action')
    admin.search('9754')
    row = admin.wait_text('.o_data_row', '9754')
    row.find_elements('css selector', 'td.o_list_button button')[0].click()  # Поверка
    admin.wait('.modal .o_form_view')
    admin.type('.modal input[name=seal_number]', 'E2E-777')
    admin.click('.modal button[name=action_save]')
    admin.wait_gone('.modal .o_form_view')
    admin.idle()
    meter = odoo.call('neopro.meter', 'search_read', [('serial_number', '=', '9754')],
                      fields=['seal_number', 'verification_date', 'next_verification_date'])[0]
    assert meter['seal_number'] == 'E2E-777'
    assert meter['verification_date'] == local_today().strftime('%Y-%m-%d')
    row = admin.wait_text('.o_data_row', 'E2E-777')
    assert meter['next_verification_date'][:4] in row.text


def _pick_many2one(browser, field_css, text):
    """Type into a many2one field and choose the first suggestion."""
    from selenium.webdriver.support.ui import WebDriverWait
    browser.type(field_css + ' input', text)
    browser.idle()
    # every many2one keeps its own (hidden) suggestion list: take the visible one
    first = WebDriverWait(browser.driver, 20).until(lambda d: next(
        (a for a in d.find_elements('css selector', 'ul.ui-autocomplete li a') if a.is_displayed()), False))
    first.click()


def _open_subscriber(browser, account):
    browser.open_action('neopro_billing.neopro_subscriber_action')
    browser.search(account)
    browser.wait_text('.o_data_row', account).click()
    browser.wait_text('.o_form_view .oe_title', account)
    browser.idle()


def test_add_a_correction_from_the_subscriber_form(admin, odoo):
    _open_subscriber(admin, '5555')
    admin.wait_text('.o_form_statusbar button', 'Корректировка').click()
    admin.wait('.modal .o_form_view')
    admin.type('.modal div[name=amount] input', '-34')  # a monetary widget wraps its input
    _pick_many2one(admin, '.modal div[name=correction_type_id]', 'Ошибка')
    admin.type('.modal input[name=name]', 'Перерасчет по акту E2E')
    admin.click('.modal button[name=action_confirm]')
    admin.wait_gone('.modal .o_form_view')
    admin.idle()
    ops = odoo.call('neopro.operation', 'search_read', [('account_number', '=', '5555'),
                                                        ('operation_type', '=', 'correction')],
                    fields=['amount', 'name', 'period_id'])
    assert [(o['amount'], o['name']) for o in ops] == [(-34.0, 'Перерасчет по акту E2E')]
    sub = odoo.call('neopro.subscriber', 'search_read', [('account_number', '=', '5555')],
                    fields=['amount_correction', 'balance_end'])[0]
    assert sub['amount_correction'] == -34.0
    # the form shows the new billing line
    admin.wait_text('.o_form_view', '-34,00')


def test_upload_a_bank_file_and_open_its_protocol(admin, odoo, tmp_path):
    path = tmp_path / 'E2E_registry.csv'
    path.write_text('account_number;payer_name;amount;date;txn_id\n'
                    '12345;Фролов Степан;1 500,50;%(d)s;E2E-1\n'
                    '99999001;Неизвестный Плательщик;100,00;%(d)s;E2E-2\n'
                    '5555;Соколова Светлана;сто;%(d)s;E2E-3\n' % {'d': local_today().strftime('%d.%m.%Y')},
                    encoding='utf-8')
    admin.open_action('neopro_billing.neopro_payment_file_action')
    admin.click('a[data-menu-xmlid="neopro_billing.menu_payment_import_load"]')
    admin.wait('.modal .o_form_view')
    admin.idle()
    _pick_many2one(admin, '.modal div[name=bank_id]', 'Kaspi')
    _pick_many2one(admin, '.modal div[name=format_id]', 'CSV')
    admin.driver.find_element('css selector', '.modal input.o_input_file').send_keys(str(path))
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(admin.driver, 20).until(lambda d: any(
        el.get_attribute('value') == 'E2E_registry.csv' for el in d.find_elements('css selector', '.modal input')))
    admin.click('.modal button[name=action_import]')
    admin.wait_gone('.modal .o_form_view', timeout=60)
    admin.idle()
    form = admin.wait_text('.o_form_view', 'E2E_registry.csv')
    assert '1 500,50' in form.text  # the loaded amount
    protocol = admin.wait_text('.o_form_view', '99999001')
    assert 'не найден' in protocol.text
    files = odoo.call('neopro.payment.file', 'search_read', [('name', '=', 'E2E_registry.csv')],
                      fields=['total_records', 'loaded_count', 'loaded_amount'])
    assert [(f['total_records'], f['loaded_count'], f['loaded_amount']) for f in files] == [(3, 1, 1500.5)]


def test_payments_search_with_a_date_range(admin, odoo):
    today = local_today()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    month_start = first.replace(day=1)  # the previous month (demo payments on its 10th)
    expected = odoo.call('neopro.operation', 'search_count', [('operation_type', '=', 'payment'),
                                                              ('date', '>=', str(month_start)),
                                                              ('date', '<=', str(first))])
    assert expected
    admin.open_action('neopro_billing.neopro_operation_action_payment')
    # the manual's "Дата: С … По …": the two date fields of the search box
    for label, day in (('Дата с', month_start), ('Дата по', first)):
        admin.type('.o_searchview_input', day.strftime('%d.%m.%Y'), clear=False)
        admin.wait_text('.o_searchview_autocomplete li', label).click()
        admin.idle()
    facets = admin.driver.find_element('css selector', '.o_searchview').text
    assert 'Дата с' in facets and 'Дата по' in facets
    rows = admin.driver.find_elements('css selector', '.o_data_row')
    assert len(rows) == expected
    assert all(month_start.strftime('.%m.%Y') in r.text for r in rows)


def test_print_the_receipt_of_a_subscriber(admin, odoo):
    import subprocess
    _open_subscriber(admin, '12345')
    admin.wait_text('.o_form_statusbar button', 'Квитанция').click()
    path = admin.downloaded('.pdf')
    with open(path, 'rb') as fh:
        assert fh.read(4) == b'%PDF'
    text = subprocess.run(['pdftotext', '-layout', path, '-'], stdout=subprocess.PIPE, check=True).stdout.decode()
    sub = odoo.call('neopro.subscriber', 'search_read', [('account_number', '=', '12345')], fields=['balance_end'])[0]
    assert '12345' in text and 'Фролов Степан' in text
    assert ('%.2f' % sub['balance_end']).replace('.', ',')[-6:] in text.replace('\xa0', ' ').replace(' ', '')


def test_generate_an_xlsx_report_and_download_it(admin, odoo):
    import openpyxl

    # from the Reports menu, as an accountant would (the menu's wizard opens over the current screen)
    admin.open_action('neopro_billing.neopro_subscriber_action')
    admin.click('a[data-menu-xmlid="neopro_billing.menu_reports_turnover"]')
    admin.wait('.modal .o_form_view')
    admin.idle()
    admin.click('.modal button[name=action_download]')
    path = admin.downloaded('.xlsx')
    book = openpyxl.load_workbook(path, read_only=True)
    values = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell is not None]
    assert '12345' in values and 'Фролов Степан' in values
    subs = odoo.call('neopro.subscriber', 'search_read', [('account_number', '=', '12345')], fields=['balance_end'])
    assert round(subs[0]['balance_end'], 2) in [round(v, 2) for v in values if isinstance(v, float)]


def _upload(browser, path, format_name):
    """Loads ``path`` through the readings import dialog (Счетчики → Загрузка показаний) with ``format_name``."""
    from selenium.webdriver.support.ui import WebDriverWait
    browser.open_action('neopro_billing.neopro_meter_action')
    browser.click('a[data-menu-xmlid="neopro_billing.menu_meters_reading_import"]')
    browser.wait('.modal .o_form_view')
    browser.idle()
    _pick_many2one(browser, '.modal div[name=format_id]', format_name)
    browser.driver.find_element('css selector', '.modal input.o_input_file').send_keys(str(path))
    WebDriverWait(browser.driver, 20).until(lambda d: any(
        el.get_attribute('value') == path.name for el in d.find_elements('css selector', '.modal input')))
    browser.click('.modal button[name=action_import]')
    browser.wait_gone('.modal .o_form_view', timeout=60)
    browser.idle()
    return browser.wait_text('.o_form_view', path.name)


def _last_reading(odoo, serial):
    meter = odoo.call('neopro.meter', 'search_read', [('serial_number', '=', serial)], fields=['id'])[0]
    readings = odoo.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter['id'])],
                         fields=['date', 'value', 'source'], order='date desc', limit=1)
    return readings[0] if readings else {'value': 0.0, 'date': None}


def test_upload_a_readings_file_and_open_its_protocol(admin, odoo, tmp_path):
    today = local_today()
    before = _last_reading(odoo, '70011')
    value = before['value'] + 4
    path = tmp_path / 'E2E_readings.csv'
    path.write_text('serial_number;date;value\n70011;%(d)s;%(v)s\nE2E-NO-SUCH;%(d)s;5\n'
                    % {'d': today.strftime('%d.%m.%Y'), 'v': ('%.3f' % value).replace('.', ',')}, encoding='utf-8')
    form = _upload(admin, path, 'универсальный CSV')
    protocol = admin.wait_text('.o_form_view', 'E2E-NO-SUCH')
    assert 'не найден' in protocol.text
    assert 'Протокол загрузки' in form.text and 'Показания, универсальный CSV' in form.text, form.text
    files = odoo.call('neopro.reading.file', 'search_read', [('name', '=', 'E2E_readings.csv')],
                      fields=['total_records', 'loaded_count', 'error_count'])
    assert [(f['total_records'], f['loaded_count'], f['error_count']) for f in files] == [(2, 1, 1)]
    after = _last_reading(odoo, '70011')
    assert (after['date'], after['value'], after['source']) == (today.strftime('%Y-%m-%d'), value, 'remote')


def test_download_a_reading_sheet_and_load_it_back_filled(admin, odoo, tmp_path):
    import openpyxl
    admin.open_action('neopro_billing.neopro_meter_action')
    admin.click('a[data-menu-xmlid="neopro_billing.menu_meters_reading_sheet"]')
    admin.wait('.modal .o_form_view')
    admin.idle()
    admin.click('.modal button[name=action_make_sheet]')
    admin.idle()
    admin.wait_text('.modal .o_form_view', '.xlsx').find_element('css selector', 'a').click()
    source = admin.downloaded('.xlsx')
    book = openpyxl.load_workbook(source)
    sheet = book.active
    header = [c.value for c in sheet[4]]
    assert header[5] == 'Заводской номер' and header[10] == 'Новое показание'
    row = next(r for r in sheet.iter_rows(min_row=5) if r[5].value == '50118')
    value = (row[7].value or 0) + 3
    row[10].value = value
    path = tmp_path / 'E2E_sheet.xlsx'
    book.save(str(path))
    form = _upload(admin, path, 'Ведомость показаний')
    assert 'Ведомость показаний (XLSX)' in form.text, form.text
    files = odoo.call('neopro.reading.file', 'search_read', [('name', '=', 'E2E_sheet.xlsx')],
                      fields=['total_records', 'loaded_count', 'error_count'])
    assert [(f['total_records'], f['loaded_count'], f['error_count']) for f in files] == [(1, 1, 0)]
    after = _last_reading(odoo, '50118')
    assert (after['date'], after['value'], after['source']) == (
        local_today().strftime('%Y-%m-%d'), value, 'inspector')
