"""The manual's main flows in a real browser (headless Chromium), on the demo data, in Russian.

Each test saves its last screen as test-artifacts/screenshot-<test>.png (the `browser` fixture).
"""
import datetime

import pytest


@pytest.fixture
def admin(browser, demo):
    browser.login('admin', 'admin')
    browser.wait('.o_main_navbar, .o_web_client')
    return browser


def test_wrong_password_shows_the_warning(browser):
    browser.login('admin', 'not the password')
    alert = browser.wait('.alert-danger')
    assert 'Неверный логин или пароль' in alert.text or 'Wrong login/password' in alert.text
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
    today = datetime.date.today().strftime('%Y-%m-%d')
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
    assert meter['verification_date'] == datetime.date.today().strftime('%Y-%m-%d')
    row = admin.wait_text('.o_data_row', 'E2E-777')
    assert meter['next_verification_date'][:4] in row.text
