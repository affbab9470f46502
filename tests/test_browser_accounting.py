"""The accountant's month in the browser (RULES §8, issue 15): a closed period's accounting on its form, posted by
the background jobs the server's job runner executes; its contract invoices opened from the form, paid or open as
Odoo says; posting again from the form queues the jobs once more and changes nothing."""
import time

from test_browser_screens import _login, _no_error_dialog, _top_dialog


def _wait_posted(odoo, period_id, timeout=180):
    """The period's accounting state once its jobs are done (the runner of the test server executes them)."""
    deadline = time.time() + timeout
    while True:
        state = odoo.call('neopro.period', 'read', [period_id], fields=['accounting_state'])[0]['accounting_state']
        if state in ('posted', 'failed') or time.time() > deadline:
            return state
        time.sleep(1)


def test_accountant_sees_and_reposts_a_closed_month(browser, demo, odoo):
    closed = odoo.call('neopro.period', 'search_read', [('state', '=', 'closed')], fields=['name'],
                       order='date_start desc', limit=1)[0]
    # the demo's months were closed with posting on: their jobs run once the server is up (all of them, before
    # anything is counted)
    for period_id in odoo.call('neopro.period', 'search', [('state', '=', 'closed')]):
        assert _wait_posted(odoo, period_id) == 'posted'
    invoices = odoo.call('account.invoice', 'search_read', [('neopro_period_id', '=', closed['id'])],
                         fields=['state', 'residual', 'neopro_contract_id'])
    moves_before = odoo.call('account.move', 'search_count', [])
    assert invoices, 'the demo contracts have invoices of %s' % closed['name']
    # written by the jobs in the language of who queued them (the demo closings: Russian)
    origins = odoo.call('account.invoice', 'read', [invoices[0]['id']], fields=['origin'])[0]['origin']
    assert origins.startswith('Договор ') and ', период %s' % closed['name'] in origins, origins
    _login(browser, 'accountant')
    browser.open_action('neopro_billing.neopro_period_action')
    browser.click_text('.o_data_row', closed['name'])
    browser.wait_text('.o_form_view .oe_title', closed['name'])
    browser.idle()
    _no_error_dialog(browser)
    form = browser.wait_text('.o_form_view', 'Бухгалтерия')
    assert 'Проведён' in form.text
    stat = browser.wait_text('.o_form_view .oe_stat_button', 'Счета')
    assert str(len(invoices)) in stat.text
    browser.screenshot('test_accountant_sees_and_reposts_a_closed_month-period')
    # the invoices of the month, in Invoicing's own list, with Odoo's states
    stat.click()
    browser.wait('.o_list_view .o_data_row')
    browser.idle()
    _no_error_dialog(browser)
    rows = browser.driver.find_elements('css selector', '.o_list_view .o_data_row')
    assert len(rows) == len(invoices)
    labels = {'paid': 'Оплачено', 'open': 'Откры'}
    listed = browser.wait('.o_list_view').text
    for state in {inv['state'] for inv in invoices}:
        assert labels[state] in listed, (state, listed)
    browser.screenshot('test_accountant_sees_and_reposts_a_closed_month-invoices')
    # the same invoices in Odoo's own Invoicing app (its top menu), searched by the contract's company
    browser.click('a[data-menu-xmlid="account.menu_finance"]')
    browser.wait('.o_control_panel')
    browser.idle()
    _no_error_dialog(browser)
    company = odoo.call('neopro.contract', 'read', [invoices[0]['neopro_contract_id'][0]],
                        fields=['partner_id'])[0]['partner_id']
    browser.open_action('account.action_invoice_tree1')
    browser.search(company[1])
    browser.wait_text('.o_list_view .o_data_row', company[1])
    _no_error_dialog(browser)
    browser.screenshot('test_accountant_sees_and_reposts_a_closed_month-invoicing')
    browser.open_action('neopro_billing.neopro_period_action')
    browser.click_text('.o_data_row', closed['name'])
    # back on the period: post again, confirmed; the jobs run and nothing is duplicated
    browser.wait_text('.o_form_view .oe_title', closed['name'])
    browser.idle()
    browser.click_text('.o_form_statusbar button', 'Провести в бухгалтерию')
    dialog = _top_dialog(browser, 'Провести период в бухгалтерию')
    dialog.find_element('css selector', '.modal-footer .btn-primary').click()
    browser.idle()
    _no_error_dialog(browser)
    assert _wait_posted(odoo, closed['id']) == 'posted'
    after = odoo.call('account.invoice', 'search_read', [('neopro_period_id', '=', closed['id'])],
                      fields=['state', 'residual', 'neopro_contract_id'])
    assert sorted(map(repr, after)) == sorted(map(repr, invoices))
    assert odoo.call('account.move', 'search_count', []) == moves_before
    browser.driver.refresh()
    browser.wait_text('.o_form_view .oe_title', closed['name'])
    browser.idle()
    assert 'Проведён' in browser.wait_text('.o_form_view', 'Бухгалтерия').text
    browser.screenshot('test_accountant_sees_and_reposts_a_closed_month-reposted')
