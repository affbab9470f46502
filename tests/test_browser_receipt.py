"""Issue 12, items 13–15 and 18 in a real browser (headless Chromium), on the demo data, in Russian: a new
subscriber from the form, the receipt a Kazakh payer and bank accept, the user card, the login page without Odoo's
branding.

Each test saves its screens as test-artifacts/screenshot-<test>[-<step>].png.
"""
import re
import time
import urllib.request

from test_browser import _open_subscriber, _pick_many2one
from test_browser_screens import _login, _top_dialog


def _visible(browser, css):
    return [e for e in browser.driver.find_elements('css selector', css) if e.is_displayed()]


def _suggestions(browser):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser.driver, 20).until(lambda d: [
        a.text for a in d.find_elements('css selector', 'ul.ui-autocomplete li a') if a.is_displayed()])


def test_login_page_in_russian_without_odoo(browser, url):
    browser.driver.get(url + '/web/login')
    browser.wait('input#login')
    page = browser.driver.find_element('css selector', 'body').text
    assert 'Вход' in page and 'Пароль' in page and 'Логин' in page, page
    for word in ('Odoo', 'Manage Databases', 'Управление базами данных', 'Powered by', 'На базе'):
        assert word not in page, (word, page)
    assert 'Odoo' not in browser.driver.title, browser.driver.title
    assert not browser.driver.find_elements('css selector', 'a[href*="/web/database/manager"], a[href*="odoo.com"]')
    browser.screenshot('test_login_page_in_russian_without_odoo')
    # a browser asking for English gets the Russian page too
    request = urllib.request.Request(url + '/web/login', headers={'Accept-Language': 'en-US,en;q=0.9'})
    html = urllib.request.urlopen(request, timeout=30).read().decode()
    assert 'Вход' in html and 'Log in' not in html and 'Email' not in html and 'Manage Databases' not in html
    assert '<title>NeoPro Billing</title>' in html


def test_operator_creates_a_subscriber_in_a_free_apartment(browser, demo, odoo, login_as):
    """Абоненты → Создать as operator1: the next free ЛС of Уральский филиал proposed, only free apartments of the
    house offered, no action button before saving, a wrong IIN refused in Russian."""
    # a new apartment of the house 12345 lives in: free, so it is offered (whatever earlier runs took)
    house = odoo.ref('neopro_billing.house_4mkr_2_demo')
    flat = '%d' % (100 + int(time.time()) % 900)
    if not odoo.call('neopro.premise', 'search', [('house_id', '=', house), ('number', '=', flat)]):
        odoo.call('neopro.premise', 'create', {'house_id': house, 'number': flat})
    _login(browser, 'operator1')
    browser.open_action('neopro_billing.neopro_subscriber_action')
    browser.click('.o_list_button_add')
    browser.wait('.o_form_view.o_form_editable')
    browser.idle()
    number = browser.wait('.o_form_view input[name=account_number]').get_attribute('value')
    assert re.match(r'^1\d{5}$', number), number  # branch code 1, then 5 digits
    assert browser.wait('.o_form_view div[name=branch_id] input').get_attribute('value') == 'Уральский филиал'
    assert not [b.text for b in _visible(browser, '.o_form_statusbar button')], 'no action before saving'
    browser.type('.o_form_view input[name=last_name]', 'Серикова')
    browser.type('.o_form_view input[name=first_name]', 'Айгерим')
    _pick_many2one(browser, '.o_form_view div[name=category_id]', 'БС')
    _pick_many2one(browser, '.o_form_view div[name=house_id]', '4-й микрорайон, 2')
    browser.idle()
    browser.type('.o_form_view div[name=premise_id] input', '4-й микрорайон, 2, 4')
    browser.idle()
    offered = [o for o in _suggestions(browser) if o.startswith('Уральск, 4-й микрорайон, 2, ')]
    assert not [o for o in offered if o.endswith(', 45')], 'apartment 45 is 12345\'s: %s' % offered
    browser.screenshot('test_operator_creates_a_subscriber_in_a_free_apartment-apartments')
    browser.type('.o_form_view div[name=premise_id] input', '4-й микрорайон, 2, ' + flat)
    browser.idle()
    apartment = 'Уральск, 4-й микрорайон, 2, ' + flat
    assert apartment in _suggestions(browser)
    next(a for a in _visible(browser, 'ul.ui-autocomplete li a') if a.text == apartment).click()
    browser.idle()
    browser.type('.o_form_view input[name=iin]', '880101300124')
    browser.screenshot('test_operator_creates_a_subscriber_in_a_free_apartment-new')
    browser.click('.o_form_button_save')
    dialog = _top_dialog(browser, 'контрольная')
    assert 'ИИН/БИН «880101300124» неверен' in dialog.text, dialog.text
    browser.screenshot('test_operator_creates_a_subscriber_in_a_free_apartment-iin')
    dialog.find_element('css selector', '.modal-footer button').click()
    browser.wait_gone('.modal-dialog')
    browser.type('.o_form_view input[name=iin]', '880101300123')
    browser.click('.o_form_button_save')
    browser.wait('.o_form_view.o_form_readonly')
    browser.idle()
    buttons = [b.text for b in _visible(browser, '.o_form_statusbar button')]
    assert 'КВИТАНЦИЯ' in [b.upper() for b in buttons], buttons
    browser.driver.execute_script("document.querySelector('.o_content').scrollTop = 0")
    browser.screenshot('test_operator_creates_a_subscriber_in_a_free_apartment-saved')
    operator = login_as('operator1')
    subs = operator.call('neopro.subscriber', 'search_read', [('account_number', '=', number)],
                         fields=['name', 'iin', 'address', 'branch_id'])
    assert [(s['name'], s['iin'], s['address'], s['branch_id'][1]) for s in subs] == [
        ('Серикова Айгерим', '880101300123', apartment, 'Уральский филиал')]
    # the next new subscriber is proposed the next number
    assert operator.call('neopro.subscriber', 'default_get', ['account_number'])['account_number'] != number


def test_receipt_of_12345(browser, demo, odoo):
    """The receipt as the payer reads it: the payee's requisites and the labels in Kazakh and Russian, the
    Kaspi QR code."""
    _login(browser, 'admin')
    sub_id = odoo.ref('neopro_billing.subscriber_12345_demo')
    browser.driver.get('%s/report/html/neopro_billing.report_receipt/%d' % (browser.url, sub_id))
    browser.wait('.o_neopro_receipt')
    text = browser.driver.find_element('css selector', '.o_neopro_receipt').text
    for expected in ('Төлем алушы / Получатель', 'ЖСК / ИИК', 'KZ86125KZT5004100100', 'БСК / БИК', 'CASPKZKA',
                     'Кбе', '16', 'ТМК / КНП', '859', 'Дербес шот / Лицевой счёт', '12345', 'Төлеуге / К оплате',
                     'Көлемі, м³ / Объём, м³'):
        assert expected in text, (expected, text)
    assert browser.driver.find_elements('css selector', '.o_neopro_receipt img[src^="data:image/png;base64,"]')
    browser.screenshot('test_receipt_of_12345')


def test_user_card(browser, demo):
    """Администрирование → Пользователи → operator1: role, branches, active and a new password on the card."""
    _login(browser, 'admin')
    browser.open_action('neopro_billing.res_users_action')
    browser.wait_text('.o_data_row', 'operator1').click()
    browser.wait('.o_form_view')
    browser.idle()
    sheet = browser.wait('.o_form_view .o_form_sheet').text
    for label in ('Роль в биллинге', 'Оператор', 'Филиалы (биллинг)', 'Уральский филиал', 'Активный'):
        assert label in sheet, (label, sheet)
    assert 'Задать новый пароль' in browser.wait('.o_form_statusbar').text
    assert 'Odoo' not in browser.driver.title, browser.driver.title
    browser.screenshot('test_user_card')
    browser.wait_text('.o_form_statusbar button', 'Задать новый пароль').click()
    dialog = _top_dialog(browser, 'operator1')
    browser.screenshot('test_user_card-password')
    dialog.find_element('css selector', '.modal-header .close').click()
    browser.wait_gone('.modal-dialog')
    # the user menu has no Odoo entries
    browser.click('.o_user_menu > a')
    menu = browser.wait('.o_user_menu .dropdown-menu').text
    assert 'Выйти' in menu or 'Log out' not in menu, menu
    for word in ('Документация', 'Documentation', 'Поддержка', 'Support', 'Odoo.com'):
        assert word not in menu, (word, menu)
    browser.screenshot('test_user_card-menu')


def test_report_dialog_title_follows_the_report(browser, demo):
    _login(browser, 'admin')
    browser.open_action('neopro_billing.neopro_report_wizard_action_run', dialog=True)
    from selenium.webdriver.support.ui import Select
    Select(browser.wait('.modal select[name=report]')).select_by_visible_text('Должники')
    browser.idle()
    browser.wait_text('.modal .modal-title', 'Должники')
    browser.screenshot('test_report_dialog_title_follows_the_report')


def test_subscriber_form_in_russian(browser, demo):
    """The chatter and the buttons of a form read Russian ("Новая запись", not "… создано")."""
    _login(browser, 'operator1')
    _open_subscriber(browser, '12345')
    assert 'Odoo' not in browser.driver.title, browser.driver.title
    browser.screenshot('test_subscriber_form_in_russian')
