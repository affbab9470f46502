"""Every flow of the manual §4.2–4.7 in a real browser (headless Chromium), on the demo data, in Russian (issue 12):
each button of the subscriber and contract forms, a contractor with a contract and a metering point, a meter,
reference lists, the file registry and the payments panel.

One browser per role for the whole file (one login each); every step saves
test-artifacts/screenshot-<test>-<step>.png.
"""
import datetime
import os
import time

import pytest
from conftest import Browser, OdooClient, almaty_now, local_today
from test_browser import _open_subscriber, _pick_many2one
from test_browser_screens import _no_error_dialog, _top_dialog


def _session(url, login):
    browser = Browser(url, os.environ.get('NEOPRO_ARTIFACTS', 'test-artifacts'))
    browser.login(login, login if login != 'admin' else 'admin')
    return browser


@pytest.fixture(scope='module')
def operator(url, demo):
    """operator1 (Уральский филиал), logged in once for the file."""
    browser = _session(url, 'operator1')
    yield browser
    browser.quit()


@pytest.fixture(scope='module')
def admin(url, demo):
    browser = _session(url, 'admin')
    yield browser
    browser.quit()


def _dialog_form(browser):
    browser.wait('.modal .o_form_view')
    browser.idle()
    _no_error_dialog(browser)
    return [m for m in browser.driver.find_elements('css selector', '.modal') if m.is_displayed()][-1]


def _close_dialog(browser):
    dialog = [m for m in browser.driver.find_elements('css selector', '.modal') if m.is_displayed()][-1]
    dialog.find_element('css selector', '.modal-header .close').click()
    browser.wait_gone('.modal .o_form_view')
    browser.idle()


def _money(amount):
    """A tenge amount as the web client writes it: 1 234,56 ₸."""
    return '{:,.2f}'.format(amount).replace(',', '\xa0').replace('.', ',') + '\xa0₸'


def _text(el):
    return el.text.replace('\xa0', ' ').replace(' ', ' ')


# §4.2 Абоненты ------------------------------------------------------------------------------------------------------

def test_every_button_of_the_subscriber_form(operator, odoo):
    """Изменить, Услуги, Начисления, Платежи, Кор-ка, Квитанция, История (→ Операции), Показания on 12345."""
    name = 'test_every_button_of_the_subscriber_form'
    _open_subscriber(operator, '12345')
    # the meters panel: a meter without a reading of the month shows no value and no giver
    meters = odoo.call('neopro.meter', 'search_read', [('subscriber_id.account_number', '=', '12345')],
                       fields=['serial_number', 'current_date', 'previous_value'])
    unread = [m['serial_number'] for m in meters if not m['current_date']]
    assert unread, 'the demo has a meter of 12345 without a reading this month'
    for row in operator.driver.find_elements('css selector', '.o_form_view div[name=meter_in_service_ids] .o_data_row'):
        cells = [c.text for c in row.find_elements('css selector', 'td')]
        if cells[1] in unread:
            # service, serial, location, previous, date, current, date, giver, consumption, verification
            assert (cells[5], cells[6], cells[7], cells[8]) == ('', '', '', ''), cells
    operator.driver.execute_script('arguments[0].scrollIntoView();',
                                   operator.wait('.o_form_view div[name=meter_in_service_ids]'))
    operator.screenshot(name + '-form')
    # Изменить
    operator.click('.o_form_button_edit')
    operator.wait('.o_form_view.o_form_editable')
    operator.screenshot(name + '-edit')
    operator.click('.o_form_button_cancel')
    operator.wait('.o_form_view.o_form_readonly')
    operator.idle()
    # the dialogs of the buttons
    for button, expected in (('Услуги', 'Услуги'), ('Начисления', 'Сумма'), ('Платежи', 'Сумма'),
                             ('Корректировка', 'Тип корректировки'), ('Показания', 'Счетчик')):
        operator.click_text('.o_form_statusbar button', button)
        dialog = _dialog_form(operator)
        assert expected in dialog.text, (button, dialog.text)
        operator.screenshot('%s-%s' % (name, button))
        _close_dialog(operator)
    # Квитанция: the PDF of the period
    operator.click_text('.o_form_statusbar button', 'Квитанция')
    with open(operator.downloaded('.pdf'), 'rb') as fh:
        assert fh.read(4) == b'%PDF'
    # История: the figures of the range per type, and the balance movement
    operator.click_text('.o_form_statusbar button', 'История')
    dialog = _dialog_form(operator)
    sub = odoo.call('neopro.subscriber', 'search_read', [('account_number', '=', '12345')], fields=['account_id'])[0]
    history_dates = [operator.wait('.modal div[name=date_from] input, .modal input[name=date_from]')
                     .get_attribute('value')]
    assert history_dates[0]
    for label in ('Нач. сальдо', 'Начислено', 'Корректировки', 'Пени', 'Оплачено', 'Кон. сальдо'):
        assert label in dialog.text, label
    operator.screenshot(name + '-history')
    operator.click('.modal button[name=action_show]')
    operator.wait_gone('.modal .o_form_view')
    operator.idle()
    _no_error_dialog(operator)
    groups = operator.wait('.o_list_view .o_group_header')
    headers = [_text(g) for g in operator.driver.find_elements('css selector', '.o_list_view .o_group_header')]
    ops = odoo.call('neopro.operation', 'read_group', [('account_id', '=', sub['account_id'][0])],
                    ['amount', 'operation_type'], ['operation_type'])
    assert groups and len(headers) == len([g for g in ops if g['operation_type_count']]), headers
    assert not operator.driver.find_elements('css selector', '.o_list_view tfoot .o_list_number'), \
        'no sum over the types in the footer'
    title = _text(operator.wait('.o_control_panel .breadcrumb .active'))
    assert 'сальдо' in title and '→' in title, title
    operator.screenshot(name + '-operations')


def test_removed_meter_leaves_the_form_and_the_list(operator, odoo):
    """A meter removed today is gone from the subscriber's panel and from the meters list (default filter)."""
    name = 'test_removed_meter_leaves_the_form_and_the_list'
    meter = odoo.call('neopro.meter', 'search_read', [('serial_number', '=', '9754')], fields=['removal_date'])[0]
    today = almaty_now()
    odoo.call('neopro.meter', 'write', [meter['id']], {'removal_date': today.strftime('%Y-%m-%d')})
    try:
        _open_subscriber(operator, '12345')
        panel = operator.wait('.o_form_view div[name=meter_in_service_ids]')
        assert '9754' not in panel.text and '9854' in panel.text
        operator.driver.execute_script('arguments[0].scrollIntoView();', panel)
        operator.screenshot(name + '-form')
        operator.open_action('neopro_billing.neopro_meter_action')
        operator.wait_text('.o_searchview_facet', 'В работе')
        operator.search('97')
        operator.idle()
        assert '9754' not in [r.text.split('\n')[0].split(' ')[0]
                              for r in operator.driver.find_elements('css selector', '.o_data_row')]
        operator.screenshot(name + '-list')
    finally:
        odoo.call('neopro.meter', 'write', [meter['id']], {'removal_date': meter['removal_date']})


# §4.3 Юридические лица -------------------------------------------------------------------------------------------

def test_contractor_with_a_contract_and_a_metering_point(operator, odoo):
    """Юрлица → Контрагенты → Создать, a contract in it, opened as a full form: Точки учета (a point added), then
    each button of the contract; the list finds the contractor by the contract's account."""
    name = 'test_contractor_with_a_contract_and_a_metering_point'
    suffix = str(int(time.time()))[-6:]
    account, contract_account = '61%s' % suffix, '62%s' % suffix
    operator.open_action('neopro_billing.res_partner_action_contractor')
    operator.click('.o_list_button_add')
    operator.wait('.o_form_view.o_form_editable')
    operator.idle()
    operator.type('.o_form_view input[name=name]', 'ТОО "Проверка %s"' % suffix)
    operator.type('.o_form_view input[name=neopro_account_number]', account)
    _pick_many2one(operator, '.o_form_view div[name=neopro_branch_id]', 'Уральский')
    operator.idle()
    # a contract, in the list of the contractor's contracts
    operator.click('.o_form_view div[name=neopro_contract_ids] .o_field_x2many_list_row_add a')
    dialog = _dialog_form(operator)
    operator.type('.modal input[name=name]', 'Д-%s' % suffix)
    operator.type('.modal input[name=account_number]', contract_account)
    _pick_many2one(operator, '.modal div[name=category_id]', 'Юр')
    operator.screenshot(name + '-contract-dialog')
    dialog.find_element('css selector', '.modal-footer .btn-primary').click()
    operator.wait_gone('.modal .o_form_view')
    operator.idle()
    operator.click('.o_form_button_save')
    operator.wait('.o_form_view.o_form_readonly')
    operator.idle()
    _no_error_dialog(operator)
    operator.screenshot(name + '-contractor')
    contracts = odoo.call('neopro.contract', 'search_read', [('account_number', '=', contract_account)],
                          fields=['name', 'partner_id', 'branch_id'])
    assert [(c['name'], c['partner_id'][1], c['branch_id'][1]) for c in contracts] == [
        ('Д-%s' % suffix, 'ТОО "Проверка %s"' % suffix, 'Уральский филиал')]
    # the contract as a full form, with the manual's buttons
    operator.click('.o_form_view div[name=neopro_contract_ids] .o_data_row button.o_icon_button')
    operator.wait_text('.o_form_view h2', 'Д-%s' % suffix)
    operator.idle()
    header = operator.wait('.o_form_statusbar').text
    for button in ('Точки учета', 'Начисления', 'Платежи', 'Корректировка', 'История', 'Показания'):
        assert button in header, button
    operator.screenshot(name + '-contract')
    # Точки учета: a point with a fixed volume
    operator.click_text('.o_form_statusbar button', 'Точки учета')
    operator.wait_text('.o_control_panel .breadcrumb', 'Точки учета')
    operator.idle()
    operator.click('.o_list_button_add')
    operator.wait('.o_data_row input')
    _pick_many2one(operator, '.o_data_row div[name=service_id]', 'Холодное')
    operator.type('.o_data_row input[name=name]', 'Котельная')
    operator.type('.o_data_row input[name=volume]', '12')
    operator.click('.o_list_button_save')
    operator.idle()
    _no_error_dialog(operator)
    operator.wait_text('.o_data_row', 'Котельная')
    operator.screenshot(name + '-points')
    points = odoo.call('neopro.metering.point', 'search_read', [('contract_id', '=', contracts[0]['id'])],
                       fields=['name', 'volume', 'service_id'])
    assert [(p['name'], p['volume'], p['service_id'][0]) for p in points] == [
        ('Котельная', 12.0, odoo.ref('neopro_billing.service_cold_water'))]
    operator.driver.find_elements('css selector', '.o_control_panel .breadcrumb li a')[-1].click()
    operator.wait_text('.o_form_view h2', 'Д-%s' % suffix)
    operator.idle()
    for button, expected in (('Начисления', 'Сумма'), ('Платежи', 'Сумма'), ('Корректировка', 'Тип корректировки'),
                             ('История', 'Кон. сальдо')):
        operator.click_text('.o_form_statusbar button', button)
        dialog = _dialog_form(operator)
        assert expected in dialog.text, (button, dialog.text)
        operator.screenshot('%s-%s' % (name, button))
        _close_dialog(operator)
    # the contractor list finds it by the contract's account
    operator.open_action('neopro_billing.res_partner_action_contractor')
    operator.search(contract_account)
    operator.wait_text('.o_data_row', 'Проверка %s' % suffix)
    assert len(operator.driver.find_elements('css selector', '.o_data_row')) == 1
    operator.screenshot(name + '-found-by-contract-account')


# §4.4 Приборы учета ----------------------------------------------------------------------------------------------

def test_add_a_meter_and_filter_by_verification(operator, odoo):
    """Общедомовые приборы учета → Создать; the meters list's visible filters Ближайшая / Просроченная поверка."""
    name = 'test_add_a_meter_and_filter_by_verification'
    serial = 'E2E%s' % str(int(time.time()))[-6:]
    operator.open_action('neopro_billing.neopro_meter_action_common_house')
    operator.click('.o_list_button_add')
    operator.wait('.o_form_view.o_form_editable')
    operator.idle()
    operator.type('.o_form_view input[name=serial_number]', serial)
    _pick_many2one(operator, '.o_form_view div[name=service_id]', 'Холодное')
    _pick_many2one(operator, '.o_form_view div[name=house_id]', '4-й микрорайон, 2')
    operator.screenshot(name + '-form')
    operator.click('.o_form_button_save')
    operator.wait('.o_form_view.o_form_readonly')
    operator.idle()
    _no_error_dialog(operator)
    meters = odoo.call('neopro.meter', 'search_read', [('serial_number', '=', serial)],
                       fields=['is_common_house', 'house_id', 'branch_id'])
    assert [(m['is_common_house'], m['branch_id'][1]) for m in meters] == [(True, 'Уральский филиал')]
    # the new meter in the list: no reading yet, an empty cell
    operator.open_action('neopro_billing.neopro_meter_action')
    operator.search(serial)
    row = operator.wait_text('.o_data_row', serial)
    cells = [c.text for c in row.find_elements('css selector', 'td.o_data_cell')]
    assert cells[7] == '' and cells[8] == '', cells  # current reading, consumption
    operator.screenshot(name + '-new-in-list')
    # the visible filter buttons
    operator.open_action('neopro_billing.neopro_meter_action')
    buttons = [b.text for b in operator.driver.find_elements('css selector', '.o_neopro_quick_filter')]
    assert buttons == ['Ближайшая поверка', 'Просроченная поверка'], buttons
    operator.wait_text('.o_neopro_quick_filter', 'Просроченная поверка').click()
    operator.idle()
    today = almaty_now().strftime('%Y-%m-%d')
    # the operator sees its branch only: count as the operator does
    operator_rpc = OdooClient(odoo.url, odoo.db, 'operator1', 'operator1')
    overdue = operator_rpc.call('neopro.meter', 'search_count', [
        ('next_verification_date', '<', today), '|', ('removal_date', '=', False), ('removal_date', '>', today)])
    assert overdue
    operator.wait_text('.o_searchview_facet', 'Просроченная поверка')
    assert 'active' in operator.wait('.o_neopro_quick_filter[data-filter=verification_overdue]').get_attribute('class')
    assert len(operator.driver.find_elements('css selector', '.o_data_row')) == overdue
    operator.screenshot(name + '-overdue')


# §4.5 Справочники ------------------------------------------------------------------------------------------------

def _select_row(browser, text):
    row = browser.wait_text('.o_data_row', text)
    row.find_element('css selector', '.o_list_record_selector input').click()
    browser.idle()


def _sidebar(browser, text):
    browser.wait_text('.o_cp_sidebar .o_dropdown_toggler_btn, .o_cp_sidebar button', 'Действие').click()
    browser.wait_text('.o_cp_sidebar .dropdown-menu a', text).click()


def test_reference_in_use_is_archived_not_deleted(admin, odoo):
    """Тарифы: deleting the tariff of the demo's charges is refused with the reason; it is archived from the list's
    Действие menu instead, found under Archived and restored."""
    name = 'test_reference_in_use_is_archived_not_deleted'
    # the cold-water tariff of residents (БС) in force: the demo's charges are priced by it
    tariff = odoo.call('neopro.tariff', 'search_read', [
        ('service_id', '=', odoo.ref('neopro_billing.service_cold_water')), ('date_to', '=', False),
        ('category_id.code', '=', 'BS')], fields=['price'])[0]
    admin.open_action('neopro_billing.neopro_tariff_action')
    _select_row(admin, '{:.4f}'.format(tariff['price']).replace('.', ','))
    _sidebar(admin, 'Удалить')
    _top_dialog(admin, 'удалить').find_element('css selector', '.modal-footer .btn-primary').click()
    refusal = _top_dialog(admin, 'используется')
    assert 'начисления по этому тарифу' in refusal.text.lower(), refusal.text
    admin.screenshot(name + '-refused')
    refusal.find_element('css selector', '.modal-footer .btn-primary').click()
    admin.idle()
    assert odoo.call('neopro.tariff', 'search_count', [('id', '=', tariff['id'])]) == 1
    # archive it from the list, then restore it from the Archived filter
    first_id = odoo.call('neopro.tariff', 'search', [], limit=1)[0]  # the list's first row
    try:
        admin.open_action('neopro_billing.neopro_tariff_action')
        rows_before = len(admin.driver.find_elements('css selector', '.o_data_row'))
        admin.driver.find_elements('css selector', '.o_data_row .o_list_record_selector input')[0].click()
        admin.idle()
        _sidebar(admin, 'Архивировать')
        admin.idle()
        admin.wait_gone('.o_data_row:nth-child(%d)' % rows_before)
        assert odoo.call('neopro.tariff', 'read', [first_id], fields=['active'])[0]['active'] is False
        admin.screenshot(name + '-archived')
        admin.click('.o_searchview_more')  # the search options, folded by default
        admin.wait_text('.o_search_options button', 'Фильтры').click()
        admin.wait_text('.o_filters_menu a', 'В архиве').click()
        admin.idle()
        admin.driver.find_elements('css selector', '.o_data_row .o_list_record_selector input')[0].click()
        _sidebar(admin, 'Разархивировать')
        admin.idle()
        assert odoo.call('neopro.tariff', 'read', [first_id], fields=['active'])[0]['active'] is True
    finally:
        odoo.call('neopro.tariff', 'write', [first_id], {'active': True})
    # and the form's archive button
    admin.open_action('neopro_billing.neopro_tariff_action')
    admin.driver.find_elements('css selector', '.o_data_row')[0].click()
    try:
        admin.wait_text('.o_form_view .oe_button_box button', 'Используется').click()
        admin.idle()
        button = admin.wait('.o_form_view .oe_button_box button.oe_stat_button')
        assert odoo.call('neopro.tariff', 'read', [first_id], fields=['active'])[0]['active'] is False
        assert 'Используется' not in button.text, button.text
        admin.screenshot(name + '-form-archived')
        button.click()
        admin.idle()
        # the pointer rests on the button, which shows its hover text (Архивировать)
        admin.wait_text('.o_form_view .oe_button_box button', 'Архивировать')
        assert odoo.call('neopro.tariff', 'read', [first_id], fields=['active'])[0]['active'] is True
        admin.screenshot(name + '-form')
    finally:
        odoo.call('neopro.tariff', 'write', [first_id], {'active': True})


def test_reference_in_use_refused_over_rpc(odoo, login_as, demo):
    """The refusal lives in the model: over XML-RPC too, for the administrator and for a role without the right."""
    import xmlrpc.client
    category = odoo.ref('neopro_billing.category_bs_demo')
    with pytest.raises(xmlrpc.client.Fault) as refused:
        odoo.call('neopro.subscriber.category', 'unlink', [category])
    # in the administrator's language (Russian), naming each use with its label and count
    subscribers = odoo.call('neopro.subscriber', 'search_count', [('category_id', '=', category)],
                            context={'active_test': False})
    assert ('«БС» используется и не может быть удалено: Абонент (лицевой счет физлица), поле «Тип»: %d; '
            % subscribers) in refused.value.faultString, refused.value.faultString
    assert refused.value.faultString.endswith('. Переместите в архив.'), refused.value.faultString
    with pytest.raises(xmlrpc.client.Fault):
        login_as('operator1').call('neopro.subscriber.category', 'unlink', [category])
    assert odoo.call('neopro.subscriber.category', 'search_count', [('id', '=', category)]) == 1


# §4.6 Импорт платежей, §4.7 Платежи ------------------------------------------------------------------------------

def test_file_registry_month_pickers_upload_and_times(admin, odoo, tmp_path):
    """Рис.16: the upload button and month pickers; the format proposes its bank; the time of a load is the same in
    the registry and in the refusal of the same file (the user's time zone)."""
    name = 'test_file_registry_month_pickers_upload_and_times'
    path = tmp_path / 'E2E_tz_registry.csv'
    path.write_text('account_number;payer_name;amount;date;txn_id\n12345;Фролов Степан;10,00;%s;E2E-TZ-%s\n'
                    % (local_today().strftime('%d.%m.%Y'), int(time.time())), encoding='utf-8')
    admin.open_action('neopro_billing.neopro_payment_file_action')
    for attempt in (1, 2):
        admin.wait_text('.o_cp_buttons button', 'Загрузить файл').click()
        _dialog_form(admin)
        _pick_many2one(admin, '.modal div[name=format_id]', 'Kaspi')
        admin.idle()
        # the bank of the format, proposed
        assert 'Kaspi' in admin.wait('.modal div[name=bank_id] input').get_attribute('value')
        _pick_many2one(admin, '.modal div[name=format_id]', 'CSV')
        admin.driver.find_element('css selector', '.modal input.o_input_file').send_keys(str(path))
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(admin.driver, 20).until(lambda d: any(
            el.get_attribute('value') == path.name for el in d.find_elements('css selector', '.modal input')))
        if attempt == 1:
            admin.screenshot(name + '-upload-dialog')
        admin.click('.modal button[name=action_import]')
        if attempt == 1:
            admin.wait_gone('.modal .o_form_view', timeout=60)
            admin.idle()
            admin.open_action('neopro_billing.neopro_payment_file_action')
    refusal = _top_dialog(admin, 'уже загружен')
    refusal_text = refusal.text
    admin.screenshot(name + '-refused')
    refusal.find_element('css selector', '.modal-footer .btn-primary').click()
    _close_dialog(admin)
    # the registry: the same time as the refusal
    admin.open_action('neopro_billing.neopro_payment_file_action')
    row = admin.wait_text('.o_data_row', path.name)
    uploaded = row.find_elements('css selector', 'td.o_data_cell')[2].text  # ДД.ММ.ГГГГ ЧЧ:ММ:СС
    assert uploaded and uploaded in refusal_text, (uploaded, refusal_text)
    # the month pickers: this month keeps the file, the month before drops it
    this_month = almaty_now().strftime('%Y-%m')
    for picker in admin.driver.find_elements('css selector', '.o_neopro_range_input'):
        admin.driver.execute_script("arguments[0].value = arguments[1]; "
                                    "arguments[0].dispatchEvent(new Event('change'))", picker, this_month)
        admin.idle()
    facets = admin.wait('.o_searchview').text
    assert 'Загрузка файла с (месяц)' in facets and 'Загрузка файла по (месяц)' in facets, facets
    admin.wait_text('.o_data_row', path.name)
    admin.screenshot(name + '-registry')


def test_payments_date_range_panel(admin, odoo):
    """Рис.18: the "Дата с / по" pickers above the payments list."""
    name = 'test_payments_date_range_panel'
    today = local_today()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    first = last.replace(day=1)
    expected = odoo.call('neopro.operation', 'search_count', [('operation_type', '=', 'payment'),
                                                              ('date', '>=', str(first)), ('date', '<=', str(last))])
    assert expected
    admin.open_action('neopro_billing.neopro_operation_action_payment')
    labels = [_text(label) for label in admin.driver.find_elements('css selector', '.o_neopro_range_label')]
    assert labels == ['Дата с', 'Дата по'], labels
    for picker, day in zip(admin.driver.find_elements('css selector', '.o_neopro_range_input'), (first, last)):
        admin.driver.execute_script("arguments[0].value = arguments[1]; "
                                    "arguments[0].dispatchEvent(new Event('change'))", picker, str(day))
        admin.idle()
    facets = admin.wait('.o_searchview').text
    assert first.strftime('%d.%m.%Y') in facets and last.strftime('%d.%m.%Y') in facets, facets
    assert len(admin.driver.find_elements('css selector', '.o_data_row')) == expected
    admin.screenshot(name + '-range')


# §4.9 Администрирование ------------------------------------------------------------------------------------------

def test_administration_users_address_and_calculation(admin, odoo):
    """Пользователи and Новый пользователь open; Добавить адрес adds a house with apartments; Рассчитать период
    opens on the open period (Группы пользователей and closing a period: test_browser_screens.py)."""
    name = 'test_administration_users_address_and_calculation'
    admin.open_action('neopro_billing.res_users_action')
    admin.wait_text('.o_data_row', 'Сулейменова Жанна')
    admin.screenshot(name + '-users')
    admin.open_action('neopro_billing.neopro_user_wizard_action', dialog=True)
    _no_error_dialog(admin)
    admin.screenshot(name + '-new-user')
    _close_dialog(admin)
    # Добавить адрес: a house of apartments 1–3 on an existing street
    number = '9%s' % str(int(time.time()))[-4:]
    admin.open_action('neopro_billing.neopro_address_wizard_action', dialog=True)
    _pick_many2one(admin, '.modal div[name=city_id]', 'Уральск')
    admin.idle()
    _pick_many2one(admin, '.modal div[name=street_id]', '4-й микрорайон')
    admin.type('.modal input[name=house_number]', number)
    _pick_many2one(admin, '.modal div[name=branch_id]', 'Уральский')
    admin.type('.modal input[name=apartment_from]', '1')
    admin.type('.modal input[name=apartment_to]', '3')
    admin.screenshot(name + '-address')
    admin.click('.modal button[name=action_create]')
    admin.wait_gone('.modal .o_form_view')
    admin.idle()
    _no_error_dialog(admin)
    admin.wait_text('.o_form_view', '4-й микрорайон, %s' % number)
    houses = odoo.call('neopro.house', 'search_read', [('full_address', 'like', '4-й микрорайон, %s' % number)],
                       fields=['premise_count', 'branch_id'])
    assert [(h['premise_count'], h['branch_id'][0]) for h in houses] == [
        (3, odoo.ref('neopro_billing.branch_uralsk_demo'))]
    admin.screenshot(name + '-house')
    # Рассчитать период: the dialog of the open period (the engine's own tests calculate)
    admin.open_action('neopro_billing.neopro_period_calculate_action', dialog=True)
    _no_error_dialog(admin)
    open_period = odoo.call('neopro.period', 'search_read', [('state', '=', 'open')], fields=['name'])[0]['name']
    admin.wait_text('.modal .o_form_view', open_period)
    admin.screenshot(name + '-calculate')
    _close_dialog(admin)
