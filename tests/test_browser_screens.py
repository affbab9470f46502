"""Screens of issue 12 in a real browser (headless Chromium), on the demo data, in Russian: the flows that were
broken, done as their users do them.

Each test saves its screens as test-artifacts/screenshot-<test>[-<step>].png.
"""
import datetime
import time

import pytest
from conftest import local_today
from test_browser import _open_subscriber, _pick_many2one


def _login(browser, login):
    browser.login(login, login)
    return browser


def _no_error_dialog(browser):
    """The web client shows no crash or error dialog."""
    errors = [e.text for e in browser.driver.find_elements('css selector', '.o_dialog_warning, .o_error_detail, '
                                                           '.modal .o_dialog_error')
              if e.is_displayed()]
    assert not errors, errors
    titles = [e.text for e in browser.driver.find_elements('css selector', '.modal-title') if e.is_displayed()]
    assert not [t for t in titles if 'Ошибка' in t or 'Error' in t], titles


def _top_dialog(browser, text):
    """The dialog on top (the last one opened), once it contains ``text``."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def _find(driver):
        shown = [m for m in driver.find_elements('css selector', '.modal') if m.is_displayed()]
        return shown and text in shown[-1].text and shown[-1]
    # a dialog replaced by the next one (confirmation, then refusal) is stale for a moment: look again
    return WebDriverWait(browser.driver, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        _find, 'no dialog on top containing %r' % text)


def test_operator_creates_a_subscriber(browser, demo, login_as):
    """Абоненты → Создать as operator1 (Уральский филиал): the name is made of surname, first name, patronymic."""
    account = '77%s' % str(int(time.time()))[-6:]
    _login(browser, 'operator1')
    browser.open_action('neopro_billing.neopro_subscriber_action')
    browser.click('.o_list_button_add')
    browser.wait('.o_form_view.o_form_editable')
    browser.idle()
    browser.type('.o_form_view input[name=account_number]', account)
    browser.type('.o_form_view input[name=last_name]', 'Ахмедов')
    browser.type('.o_form_view input[name=first_name]', 'Рустам')
    browser.type('.o_form_view input[name=patronymic]', 'Али оглы')
    browser.type('.o_form_view input[name=residents]', '3')
    _pick_many2one(browser, '.o_form_view div[name=category_id]', 'БС')
    _pick_many2one(browser, '.o_form_view div[name=house_id]', '4-й микрорайон, 10')
    browser.idle()
    # the house's branch, set by its onchange
    assert browser.wait('.o_form_view div[name=branch_id] input').get_attribute('value') == 'Уральский филиал'
    browser.screenshot('test_operator_creates_a_subscriber-form')
    browser.click('.o_form_button_save')
    browser.wait('.o_form_view.o_form_readonly')
    browser.idle()
    _no_error_dialog(browser)
    browser.wait_text('.o_form_view .oe_title', 'Ахмедов Рустам Али оглы')
    browser.screenshot('test_operator_creates_a_subscriber-saved')
    operator = login_as('operator1')
    subs = operator.call('neopro.subscriber', 'search_read', [('account_number', '=', account)],
                         fields=['name', 'last_name', 'first_name', 'patronymic', 'residents', 'branch_id', 'address'])
    assert [(s['name'], s['patronymic'], s['residents'], s['branch_id'][1], s['address']) for s in subs] == [
        ('Ахмедов Рустам Али оглы', 'Али оглы', 3, 'Уральский филиал', 'Уральск, 4-й микрорайон, 10')]
    # and the list finds it by its account number
    browser.open_action('neopro_billing.neopro_subscriber_action')
    browser.search(account)
    browser.wait_text('.o_data_row', 'Ахмедов Рустам Али оглы')


def test_readings_of_a_second_meter(browser, demo, odoo):
    """Показания on the subscriber form: choosing another meter of the account, then its readings."""
    _login(browser, 'admin')
    _open_subscriber(browser, '12345')
    browser.wait_text('.o_form_statusbar button', 'Показания').click()
    browser.wait('.modal .o_form_view')
    browser.idle()
    first = browser.wait('.modal div[name=meter_id] input').get_attribute('value')
    second = '22222' if first != '22222' else '9854'
    # the dropdown offers the account's meters only (the field's domain is evaluated by the web client)
    browser.type('.modal div[name=meter_id] input', '')
    browser.click('.modal div[name=meter_id] input')
    browser.idle()
    from selenium.webdriver.support.ui import WebDriverWait
    offered = WebDriverWait(browser.driver, 20).until(lambda d: [
        a.text for a in d.find_elements('css selector', 'ul.ui-autocomplete li a') if a.is_displayed()])
    browser.screenshot('test_readings_of_a_second_meter-offered')
    _no_error_dialog(browser)
    assert set(offered) == {'9854', '22222', '98654', '3456', '9754'}, offered
    _pick_many2one(browser, '.modal div[name=meter_id]', second)
    browser.idle()
    _no_error_dialog(browser)
    assert browser.wait('.modal div[name=meter_id] input').get_attribute('value') == second
    browser.screenshot('test_readings_of_a_second_meter-dialog')
    browser.click('.modal button[name=action_show]')
    browser.wait_gone('.modal .o_form_view')
    browser.idle()
    _no_error_dialog(browser)
    browser.wait_text('.o_control_panel .breadcrumb', second)
    meter_id = odoo.call('neopro.meter', 'search', [('serial_number', '=', second)])[0]
    year_ago = (local_today() - datetime.timedelta(days=366)).strftime('%Y-%m-%d')
    expected = odoo.call('neopro.meter.reading', 'search_count', [('meter_id', '=', meter_id),
                                                                  ('date', '>=', year_ago)])
    assert expected
    assert len(browser.driver.find_elements('css selector', '.o_data_row')) == expected


def test_user_groups_open(browser, demo):
    """Администрирование → Группы пользователей lists the four billing roles."""
    _login(browser, 'admin')
    browser.open_action('neopro_billing.neopro_subscriber_action')
    entry = browser.wait('a[data-menu-xmlid="neopro_billing.menu_admin_groups"]', visible=False)
    browser.driver.execute_script('arguments[0].scrollIntoView();', entry)
    browser.click('a[data-menu-xmlid="neopro_billing.menu_admin_groups"]')
    browser.wait_text('.o_control_panel .breadcrumb', 'Группы пользователей')
    browser.idle()
    _no_error_dialog(browser)
    rows = browser.wait_text('.o_list_view', 'Администратор')
    assert len(browser.driver.find_elements('css selector', '.o_data_row')) == 4
    for role in ('Контролер', 'Оператор', 'Бухгалтер', 'Администратор'):
        assert role in rows.text, role
    browser.screenshot('test_user_groups_open-list')
    # a group opens with its users
    browser.wait_text('.o_data_row', 'Оператор').click()
    browser.wait('.o_form_view')
    browser.idle()
    _no_error_dialog(browser)
    browser.wait_text('.o_form_view', 'Сулейменова Жанна')  # operator1


@pytest.fixture
def no_posting_on_close(odoo):
    """Closing does not post to accounting while the test runs (a posted period cannot be reopened)."""
    company_id = odoo.call('res.users', 'read', [odoo.uid], fields=['company_id'])[0]['company_id'][0]
    before = odoo.call('res.company', 'read', [company_id], fields=['neopro_post_on_close'])[0]
    odoo.call('res.company', 'write', [company_id], {'neopro_post_on_close': False})
    yield
    odoo.call('res.company', 'write', [company_id], {'neopro_post_on_close': before['neopro_post_on_close']})


def _open_period(browser, name):
    browser.open_action('neopro_billing.neopro_period_action')
    browser.wait_text('.o_data_row', name).click()
    browser.wait_text('.o_form_view .oe_title', name)
    browser.idle()


def test_close_the_month_early_and_reopen_it(browser, demo, odoo, no_posting_on_close):
    """As admin: the open month (not over) is closed only through the dialog that spells out the consequences;
    then reopened, which removes the empty month the closing opened."""
    open_id = odoo.call('neopro.period', 'search', [('state', '=', 'open')])[0]
    period = odoo.call('neopro.period', 'read', [open_id], fields=['name', 'date_end', 'date_calculated'])[0]
    end = datetime.datetime.strptime(period['date_end'], '%Y-%m-%d').date()
    following = (end + datetime.timedelta(days=1)).strftime('%m.%Y')
    _login(browser, 'admin')
    _open_period(browser, period['name'])
    if 'Закрыть до конца месяца' not in browser.wait('.o_form_statusbar').text:
        pytest.skip('the open period ends today (in the administrator\'s time zone): it is not closed early')
    header = browser.wait('.o_form_statusbar').text
    assert 'Закрыть до конца месяца' in header and 'Закрыть период' not in header
    browser.wait_text('.o_form_view .alert-info', 'Месяц этого периода ещё не закончился')
    browser.wait_text('.o_form_statusbar button', 'Закрыть до конца месяца').click()
    dialog = browser.wait_text('.modal', 'Я закрываю период до его окончания')
    browser.idle()
    text = dialog.text
    # today in the administrator's time zone (Asia/Almaty), as the dialog shows it
    today = datetime.datetime.strptime(dialog.find_element('css selector', '[name=date_today]').text,
                                       '%d.%m.%Y').date()
    assert 'Сегодня %s; период %s длится до %s' % (today.strftime('%d.%m.%Y'), period['name'],
                                                   end.strftime('%d.%m.%Y')) in text
    assert 'с датами %s – %s отклоняются' % (today.strftime('%d.%m.%Y'), end.strftime('%d.%m.%Y')) in text
    assert 'Откроется период %s' % following in text
    charged = sum(o['amount'] for o in odoo.call('neopro.operation', 'search_read', [
        ('period_id', '=', open_id), ('operation_type', '=', 'charge')], fields=['amount']))
    # the sum charged so far, in the consequences as in the figures: 200 399,72 ₸
    assert ('{:,.2f}'.format(charged).replace(',', '\xa0').replace('.', ',') + '\xa0₸') in text.replace(' ', '\xa0')
    browser.screenshot('test_close_the_month_early_and_reopen_it-dialog')
    # without the tick the dialog refuses
    browser.click('.modal button[name=action_confirm]')
    warning = _top_dialog(browser, 'Сначала отметьте подтверждение')
    browser.screenshot('test_close_the_month_early_and_reopen_it-not-ticked')
    warning.find_element('css selector', '.modal-footer .btn-primary').click()
    browser.wait_gone('.o_dialog_warning')
    browser.idle()
    browser.click('.modal div[name=confirmed]')
    browser.click('.modal button[name=action_confirm]')
    browser.wait_gone('.modal .o_form_view')
    browser.idle()
    _no_error_dialog(browser)
    browser.wait_text('.o_form_view .oe_title', following)
    states = {p['name']: p['state'] for p in odoo.call('neopro.period', 'search_read', [], fields=['name', 'state'])}
    assert (states[period['name']], states[following]) == ('closed', 'open')
    # the closed month: its chatter says what happened, the administrator may reopen it
    _open_period(browser, period['name'])
    browser.wait_text('.o_form_view .o_thread_message', 'Закрыт до конца месяца')
    browser.screenshot('test_close_the_month_early_and_reopen_it-closed')
    browser.wait_text('.o_form_statusbar button', 'Открыть заново').click()
    _top_dialog(browser, 'Открыть период заново?').find_element('css selector', '.modal-footer .btn-primary').click()
    browser.idle()
    _no_error_dialog(browser)
    browser.wait_text('.o_form_view .o_thread_message', 'Период открыт заново')
    browser.wait_text('.o_form_statusbar button', 'Закрыть до конца месяца')
    states = {p['name']: p['state'] for p in odoo.call('neopro.period', 'search_read', [], fields=['name', 'state'])}
    assert states[period['name']] == 'open' and following not in states
    # its operations can be booked again: a payment dated today
    sub = odoo.call('neopro.subscriber', 'search_read', [('account_number', '=', '12345')], fields=['amount_paid'])[0]
    source = odoo.ref('neopro_billing.payment_source_cash')
    odoo.call('neopro.operation', 'create', {'operation_type': 'payment', 'amount': 1.0, 'subscriber_id': sub['id'],
                                             'date': today.strftime('%Y-%m-%d'), 'payment_source_id': source})
    after = odoo.call('neopro.subscriber', 'read', [sub['id']], fields=['amount_paid'])[0]
    assert round(after['amount_paid'] - sub['amount_paid'], 2) == 1.0
