"""Subscribers' own pages (RULES §15) on a live server: two portal users of the demo data, over HTTP, XML-RPC and in
a real browser. Each tries the other's account number, receipt URL and reading form.

The users are made as the operators make them: the "Portal access" button of the subscriber (it gives the
subscriber a contact), then a portal login of that contact.
"""
import http.cookiejar
import re
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import xmlrpc.client

import pytest
from conftest import OdooClient, local_today

PASSWORD = 'Portal-Pass-2026x'
TODAY = local_today()


class WebSession(object):
    """A logged-in browser-less session of the website (cookies, CSRF token of the forms)."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, page, _headers = self.get('/web/login')
        assert status == 200, status
        self.post('/web/login', {'login': login, 'password': password, 'db': db, 'csrf_token': self.token(page)})
        status, page, _headers = self.get('/my/home')
        assert status == 200 and '/web/login' not in page, 'login %s failed' % login

    def token(self, page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=120)
            return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def get(self, path, raw=False):
        status, body, headers = self._open(urllib.request.Request(self.url + path))
        return status, body if raw else body.decode('utf-8'), headers

    def post(self, path, data):
        status, body, headers = self._open(urllib.request.Request(
            self.url + path, data=urllib.parse.urlencode(data).encode('utf-8')))
        return status, body.decode('utf-8'), headers


def _set_window(admin, day_from, day_to):
    admin.call('ir.config_parameter', 'set_param', 'neopro_billing.reading_day_from', str(day_from))
    admin.call('ir.config_parameter', 'set_param', 'neopro_billing.reading_day_to', str(day_to))


def _window_without_today():
    day = TODAY.day
    return (day + 1, day + 3) if day <= 25 else (1, day - 1)


@pytest.fixture(scope='module')
def portal(demo, url, db):
    """Two demo subscribers with a meter each (no reading of today), with a portal login each."""
    admin = demo
    today = admin.call('neopro.meter.reading', 'search_read', [('date', '=', TODAY.isoformat())],
                       fields=['meter_id'])
    taken = {r['meter_id'][0] for r in today}
    meters = admin.call('neopro.meter', 'search_read', [('subscriber_id', '!=', False), ('active', '=', True),
                                                        ('id', 'not in', list(taken))],
                        fields=['subscriber_id', 'serial_number'], order='id')
    chosen = {}
    for meter in meters:
        chosen.setdefault(meter['subscriber_id'][0], meter)
        if len(chosen) == 2:
            break
    group = admin.ref('base.group_portal')
    people = []
    for index, (sub_id, meter) in enumerate(sorted(chosen.items())):
        admin.call('neopro.subscriber', 'action_portal_invite', [sub_id])
        sub = admin.call('neopro.subscriber', 'read', [sub_id], fields=['partner_id', 'account_number',
                                                                        'account_id'])[0]
        login = 'portal_e2e_%s' % 'ab'[index]
        if not admin.call('res.users', 'search', [('login', '=', login)]):
            admin.call('res.users', 'create', {
                'name': 'Portal %s' % login, 'login': login, 'password': PASSWORD, 'lang': 'ru_RU',
                'partner_id': sub['partner_id'][0], 'groups_id': [(6, 0, [group])]})
        people.append({'login': login, 'number': sub['account_number'], 'account_id': sub['account_id'][0],
                       'meter_id': meter['id'], 'serial': meter['serial_number'],
                       'rpc': OdooClient(url, db, login, PASSWORD), 'web': WebSession(url, db, login, PASSWORD)})
    periods = admin.call('neopro.period', 'search_read', [('state', '=', 'closed')], fields=['name'],
                         order='date_start desc', limit=1)
    yield {'a': people[0], 'b': people[1], 'admin': admin, 'closed_period': periods[0]}
    _set_window(admin, 15, 25)


def _last_value(admin, meter_id):
    found = admin.call('neopro.meter.reading', 'search_read', [('meter_id', '=', meter_id)], fields=['value'],
                       order='date desc', limit=1)
    return found[0]['value'] if found else 0.0


# ------------------------------------------------------------------------------ HTTP

def test_list_shows_own_accounts_only(portal):
    a, b = portal['a'], portal['b']
    status, page, _headers = a['web'].get('/my/accounts')
    assert status == 200
    assert '/my/accounts/%s"' % a['number'] in page
    assert '/my/accounts/%s"' % b['number'] not in page
    status, home, _headers = a['web'].get('/my/home')
    assert 'Лицевые счета' in home


def test_other_account_page_is_not_found(portal):
    a, b = portal['a'], portal['b']
    assert a['web'].get('/my/accounts/%s' % a['number'])[0] == 200
    status, page, _headers = a['web'].get('/my/accounts/%s' % b['number'])
    assert status == 404
    assert b['number'] not in page


def test_other_receipt_url_is_not_found(portal):
    a, b, period = portal['a'], portal['b'], portal['closed_period']
    status, body, headers = b['web'].get('/my/accounts/%s/receipt/%s' % (b['number'], period['id']), raw=True)
    assert status == 200 and body[:4] == b'%PDF', (status, body[:200])
    status, body, headers = a['web'].get('/my/accounts/%s/receipt/%s' % (b['number'], period['id']), raw=True)
    assert status == 404
    assert body[:4] != b'%PDF'


def test_receipt_pdf_of_a_past_period(portal):
    a, period = portal['a'], portal['closed_period']
    status, body, headers = a['web'].get('/my/accounts/%s/receipt/%s' % (a['number'], period['id']), raw=True)
    assert status == 200 and headers['Content-Type'] == 'application/pdf'
    with tempfile.NamedTemporaryFile(suffix='.pdf') as fh:
        fh.write(body)
        fh.flush()
        text = subprocess.check_output(['pdftotext', '-layout', fh.name, '-']).decode('utf-8')
    assert a['number'] in text
    assert period['name'] in text


def test_other_reading_form_is_refused(portal):
    a, b, admin = portal['a'], portal['b'], portal['admin']
    _set_window(admin, 1, 31)
    before = admin.call('neopro.meter.reading', 'search_count', [('meter_id', '=', b['meter_id'])])
    status, page, _headers = a['web'].get('/my/accounts/%s' % a['number'])
    token = a['web'].token(page)
    # B's account number: not found
    status, page, _headers = a['web'].post('/my/accounts/%s/reading' % b['number'], {
        'meter_id': b['meter_id'], 'value': '99999', 'csrf_token': token})
    assert status == 404
    # his own account with B's meter: refused with a message
    status, page, _headers = a['web'].post('/my/accounts/%s/reading' % a['number'], {
        'meter_id': b['meter_id'], 'value': '99999', 'csrf_token': token})
    assert status == 200
    assert 'Выберите один из счетчиков этого лицевого счета.' in page
    assert admin.call('neopro.meter.reading', 'search_count', [('meter_id', '=', b['meter_id'])]) == before


def test_reading_form_outside_the_window(portal):
    a, admin = portal['a'], portal['admin']
    _set_window(admin, 1, 31)
    status, page, _headers = a['web'].get('/my/accounts/%s' % a['number'])
    assert 'o_neopro_reading_form' in page
    token = a['web'].token(page)
    day_from, day_to = _window_without_today()
    _set_window(admin, day_from, day_to)
    status, page, _headers = a['web'].get('/my/accounts/%s' % a['number'])
    assert 'o_neopro_reading_form' not in page  # no form outside the window
    status, page, _headers = a['web'].post('/my/accounts/%s/reading' % a['number'], {
        'meter_id': a['meter_id'], 'value': '1', 'csrf_token': token})
    assert 'показания принимаются с %s по %s число месяца; сегодня %s число.' % (day_from, day_to, TODAY.day) \
        in page


def test_kaspi_link_only_when_set_up(portal):
    a, admin = portal['a'], portal['admin']
    keys = ('neopro_billing.kaspi_pay_alias', 'neopro_billing.kaspi_pay_service_id',
            'neopro_billing.kaspi_pay_account_field')
    before = {key: admin.call('ir.config_parameter', 'get_param', key) for key in keys}
    try:
        for key in keys:
            admin.call('ir.config_parameter', 'set_param', key, False)
        page = a['web'].get('/my/accounts/%s' % a['number'])[1]
        assert 'o_neopro_kaspi' not in page
        for key, value in zip(keys, ('vodokanal', '4242', 'ls')):
            admin.call('ir.config_parameter', 'set_param', key, value)
        page = a['web'].get('/my/accounts/%s' % a['number'])[1]
        tag = re.search(r'<a [^>]*o_neopro_kaspi[^>]*>', page)
        assert tag and 'Оплатить через Kaspi' in page, 'no Kaspi link'
        href = re.search(r'href="([^"]+)"', tag.group(0)).group(1)
        assert href.startswith('https://kaspi.kz/pay/vodokanal?service_id=4242&amp;ls=%s' % a['number']), href
    finally:
        for key, value in before.items():
            admin.call('ir.config_parameter', 'set_param', key, value or False)


# ------------------------------------------------------------------------------ XML-RPC

def test_rpc_reads_own_records_only(portal):
    a, b = portal['a'], portal['b']
    accounts = a['rpc'].call('neopro.account', 'search_read', [], fields=['account_number'])
    assert [acc['account_number'] for acc in accounts] == [a['number']]
    assert a['rpc'].call('neopro.meter', 'search', []) == \
        portal['admin'].call('neopro.meter', 'search', [('account_id', '=', a['account_id'])])
    for model, ids, field in (('neopro.account', [b['account_id']], 'account_number'),
                              ('neopro.meter', [b['meter_id']], 'serial_number')):
        with pytest.raises(xmlrpc.client.Fault):
            a['rpc'].call(model, 'read', ids, fields=[field])
    assert a['rpc'].call('neopro.operation', 'search_count', [('account_id', '=', b['account_id'])]) == 0
    assert a['rpc'].call('neopro.balance', 'search_count', [('account_id', '=', b['account_id'])]) == 0


@pytest.mark.parametrize('model', ['neopro.tariff', 'neopro.period', 'neopro.payment.file', 'neopro.kaspi.log',
                                   'neopro.branch', 'neopro.receipt.mail', 'neopro.metering.point'])
def test_rpc_other_billing_models_are_closed(portal, model):
    with pytest.raises(xmlrpc.client.Fault) as error:
        portal['a']['rpc'].call(model, 'search_read', [], fields=['id'], limit=1)
    assert 'AccessError' in error.value.faultString or 'доступ' in error.value.faultString.lower()


def test_rpc_reading_of_another_meter_is_refused(portal):
    a, b, admin = portal['a'], portal['b'], portal['admin']
    _set_window(admin, 1, 31)
    with pytest.raises(xmlrpc.client.Fault):
        a['rpc'].call('neopro.meter.reading', 'create', {'meter_id': b['meter_id'], 'value': 99999})
    assert not admin.call('neopro.meter.reading', 'search', [('meter_id', '=', b['meter_id']),
                                                             ('value', '=', 99999)])


# ------------------------------------------------------------------------------ browser

def test_browser_portal_user_reads_submits_and_downloads(portal, browser):
    a, admin = portal['a'], portal['admin']
    _set_window(admin, 1, 31)
    browser.login(a['login'], PASSWORD, wait=False)  # a portal user lands on /my
    entry = browser.wait_text('.o_portal_docs li', 'Лицевые счета')
    browser.screenshot('portal-home')
    entry.find_element('css selector', 'a').click()
    row = browser.wait_text('table.o_neopro_accounts tr', a['number'])
    browser.screenshot('portal-accounts')
    row.find_element('css selector', 'a').click()
    browser.wait_text('.o_neopro_account_page h3', 'Лицевой счет %s' % a['number'])
    page = browser.wait('.o_neopro_account_page').text
    for text in ('Строка биллинга', 'Начислено', 'Оплачено', 'Кон. сальдо', 'Счетчики', 'История по месяцам',
                 'Платежи'):
        assert text in page, text
    browser.screenshot('portal-account')

    # a reading inside the window
    value = int(_last_value(admin, a['meter_id'])) + 5
    form = 'tr[data-serial="%s"] form.o_neopro_reading_form' % a['serial']
    browser.type(form + ' input[name=value]', str(value))
    browser.click(form + ' button[type=submit]')
    ok = browser.wait('.o_neopro_reading_ok')
    assert 'Спасибо: показание счетчика %s принято.' % a['serial'] == ok.text
    browser.screenshot('portal-reading-accepted')
    readings = admin.call('neopro.meter.reading', 'search_read',
                          [('meter_id', '=', a['meter_id']), ('date', '=', TODAY.isoformat())],
                          fields=['value', 'source'])
    assert [(r['value'], r['source']) for r in readings] == [(value, 'subscriber')]

    # the window closes while the page is open: the same form is refused, in Russian
    admin.call('neopro.meter.reading', 'unlink', [r['id'] for r in admin.call(
        'neopro.meter.reading', 'search_read', [('meter_id', '=', a['meter_id']),
                                                ('date', '=', TODAY.isoformat())], fields=['id'])])
    day_from, day_to = _window_without_today()
    _set_window(admin, day_from, day_to)
    browser.type(form + ' input[name=value]', str(value + 1))
    browser.click(form + ' button[type=submit]')
    error = browser.wait('.o_neopro_reading_error')
    assert 'показания принимаются с %s по %s число месяца' % (day_from, day_to) in error.text
    browser.screenshot('portal-reading-refused')
    assert not browser.driver.find_elements('css selector', 'form.o_neopro_reading_form')
    assert not admin.call('neopro.meter.reading', 'search', [('meter_id', '=', a['meter_id']),
                                                             ('date', '=', TODAY.isoformat())])

    # the receipt of the last closed month (the months run from the open one back)
    months = browser.driver.find_elements('css selector', '.o_neopro_month')
    assert portal['closed_period']['name'] in months[1].text
    months[1].find_element('css selector', '.o_neopro_receipt_link').click()
    path = browser.downloaded('.pdf')
    with open(path, 'rb') as fh:
        assert fh.read(4) == b'%PDF'
    text = subprocess.check_output(['pdftotext', '-layout', path, '-']).decode('utf-8')
    assert a['number'] in text
