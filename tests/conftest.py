"""Shared fixtures of the repo-level tests: they talk to a running server over XML-RPC.

`bin/test tests/test_x.py` starts the server on a fresh database with neopro_billing and its demo data and
sets NEOPRO_URL and NEOPRO_DB; to run against your own server: NEOPRO_URL=http://localhost:8069
NEOPRO_DB=neopro .venv-e2e/bin/pytest tests/test_x.py
"""
import datetime
import os
import xmlrpc.client

import pytest


def almaty_now():
    """Now in Asia/Almaty, the zone of the demo users and of the server's "today" (UTC+5, all of Kazakhstan since
    1 March 2024). From 19:00 UTC the utility's day is already the next one."""
    return datetime.datetime.utcnow() + datetime.timedelta(hours=5)


def local_today():
    """The utility's date, the one the server gives a reading, a payment or a verification made now."""
    return almaty_now().date()


class OdooClient(object):
    """An authenticated XML-RPC session: ``client.call('neopro.subscriber', 'search', [domain], limit=5)``."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy('%s/xmlrpc/2/common' % url, allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RuntimeError('login %s refused by %s (database %s)' % (login, url, db))
        self.models = xmlrpc.client.ServerProxy('%s/xmlrpc/2/object' % url, allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def ref(self, xmlid):
        """Database id of an xml id ``module.name`` (False when it does not exist)."""
        module, name = xmlid.split('.')
        found = self.call('ir.model.data', 'search_read', [('module', '=', module), ('name', '=', name)],
                          fields=['res_id'])
        return found and found[0]['res_id']


@pytest.fixture(scope='session')
def url():
    return os.environ.get('NEOPRO_URL', 'http://127.0.0.1:8069').rstrip('/')


@pytest.fixture(scope='session')
def db():
    return os.environ.get('NEOPRO_DB', 'neopro')


@pytest.fixture(scope='session')
def odoo(url, db):
    """The administrator (admin / admin)."""
    return OdooClient(url, db, 'admin', 'admin')


@pytest.fixture(scope='session')
def login_as(url, db):
    """Log in as another user: ``login_as('operator1')`` (the demo users' password is their login)."""
    def _login(login, password=None):
        return OdooClient(url, db, login, password or login)
    return _login


@pytest.fixture(scope='session')
def demo(odoo):
    """Skip a test that needs the demo data when the database has none."""
    if not odoo.ref('neopro_billing.subscriber_12345_demo'):
        pytest.skip('the database has no neopro_billing demo data')
    return odoo


class Browser(object):
    """Headless Chromium driving the Odoo web client (Selenium 4, Debian's chromium and chromedriver)."""

    def __init__(self, url, artifacts):
        import tempfile

        from selenium import webdriver
        opts = webdriver.ChromeOptions()
        for arg in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                    '--disable-background-networking', '--disable-component-update', '--disable-sync',
                    '--disable-dev-shm-usage', '--window-size=1440,900', '--lang=ru-RU',
                    '--user-data-dir=' + tempfile.mkdtemp(prefix='neopro-chromium-')):
            opts.add_argument(arg)
        opts.binary_location = '/usr/bin/chromium'
        self.driver = webdriver.Chrome(service=webdriver.ChromeService('/usr/bin/chromedriver'), options=opts)
        self.driver.set_page_load_timeout(60)
        # the operators' computers keep Kazakhstan's time: the web client's "today" (filters, date pickers) is the
        # utility's day, as the server's is, also from 19:00 UTC
        self.driver.execute_cdp_cmd('Emulation.setTimezoneOverride', {'timezoneId': 'Asia/Almaty'})
        self.url, self.artifacts = url, artifacts
        # files the web client sends (reports) land here
        self.downloads = tempfile.mkdtemp(prefix='neopro-downloads-')
        self.driver.execute_cdp_cmd('Browser.setDownloadBehavior', {'behavior': 'allow',
                                                                    'downloadPath': self.downloads})

    # -- small vocabulary of the tests -------------------------------------------------------------------
    def wait(self, css, timeout=20, visible=True):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        cond = EC.visibility_of_element_located if visible else EC.presence_of_element_located
        return WebDriverWait(self.driver, timeout).until(cond((By.CSS_SELECTOR, css)))

    def wait_text(self, css, text, timeout=20):
        """Wait until an element matching ``css`` contains ``text``; return that element."""
        from selenium.webdriver.support.ui import WebDriverWait

        def _find(driver):
            for el in driver.find_elements('css selector', css):
                try:
                    if text in el.text:
                        return el
                except Exception:  # stale while the client re-renders
                    continue
            return False
        return WebDriverWait(self.driver, timeout).until(_find, 'no %s containing %r' % (css, text))

    def click_text(self, css, text, timeout=20):
        """Click the element matching ``css`` that contains ``text``, found again when the web client re-rendered
        it between the search and the click."""
        import time

        from selenium.common.exceptions import StaleElementReferenceException
        for attempt in range(5):
            try:
                el = self.wait_text(css, text, timeout)
                el.click()
                return el
            except StaleElementReferenceException:
                if attempt == 4:
                    raise
                time.sleep(0.3)

    def wait_gone(self, css, timeout=20):
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(self.driver, timeout).until(lambda d: not d.find_elements('css selector', css))

    def idle(self, timeout=20):
        """Wait until the web client has no RPC running (the loading indicator is hidden)."""
        import time

        from selenium.webdriver.support.ui import WebDriverWait
        time.sleep(0.3)
        WebDriverWait(self.driver, timeout).until(
            lambda d: not [e for e in d.find_elements('css selector', '.o_loading') if e.is_displayed()])

    def click(self, css, timeout=20):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait
        el = WebDriverWait(self.driver, timeout).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        el.click()
        return el

    def type(self, css, text, clear=True):
        el = self.wait(css)
        if clear:
            el.clear()
        el.send_keys(text)
        return el

    def login(self, login='admin', password='admin', wait=True):
        """Log in through the login page and wait until the web client has shown the user's first screen: a page
        opened before the login's answer came back cancels it, and an action opened while the first screen still
        loads is covered by it when that one comes last (``wait=False`` for a login meant to fail, or a portal
        user's)."""
        self.driver.get(self.url + '/web/login')
        self.type('input#login', login)
        self.type('input#password', password)
        self.click('button[type=submit]')
        if wait:
            self.wait('.o_control_panel', timeout=60)
            self.idle(timeout=60)

    def open_action(self, xmlid, dialog=False):
        """Open a window action by xml id (a dialog action opens its form in a modal)."""
        self.driver.get(self.url + '/web#action=' + xmlid)
        self.wait('.modal .o_form_view' if dialog else '.o_control_panel')
        self.idle()

    def search(self, text):
        from selenium.webdriver.common.keys import Keys
        self.type('.o_searchview_input', text + Keys.ENTER, clear=False)
        self.idle()

    def downloaded(self, suffix, timeout=90):
        """Wait for a finished download ending with ``suffix``; return its path."""
        import glob
        import time
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = [p for p in glob.glob(os.path.join(self.downloads, '*' + suffix)) if os.path.getsize(p)]
            if done:
                return done[0]
            time.sleep(0.5)
        raise AssertionError('no %s file downloaded in %d s (got %s)' % (suffix, timeout, os.listdir(self.downloads)))

    def screenshot(self, name):
        import re
        os.makedirs(self.artifacts, exist_ok=True)
        path = os.path.join(self.artifacts, 'screenshot-%s.png' % re.sub(r'[^\w.-]+', '_', name).strip('_'))
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        self.driver.quit()


@pytest.fixture
def browser(url, request):
    """A new browser per test; the last screen of every test is saved as test-artifacts/screenshot-<test>.png."""
    b = Browser(url, os.environ.get('NEOPRO_ARTIFACTS', 'test-artifacts'))
    yield b
    b.screenshot(request.node.name)
    b.quit()
