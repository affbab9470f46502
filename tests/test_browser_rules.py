"""RULES §12 on screen (headless Chromium, Russian UI): tariff bands, temporary absence, penalty write-off run."""


def _open_record(browser, model, record_id):
    browser.driver.get('%s/web#model=%s&id=%s&view_type=form' % (browser.url, model, record_id))
    browser.wait('.o_form_view')
    browser.idle()


def test_tariff_form_edits_bands_inline(browser, demo):
    tariff = demo.call('neopro.tariff', 'search', [], limit=1)[0]
    browser.login()
    _open_record(browser, 'neopro.tariff', tariff)
    browser.wait_text('.o_form_view', 'Ступени потребления')
    browser.wait_text('.o_form_view', 'Расчет ступеней')
    browser.screenshot('rules_tariff_bands')


def test_subscriber_form_shows_temporary_absence(browser, demo):
    browser.login()
    _open_record(browser, 'neopro.subscriber', demo.ref('neopro_billing.subscriber_12345_demo'))
    browser.wait_text('.o_form_view', 'Основание начисления')
    tab = browser.wait_text('.o_notebook a', 'Временное отсутствие')
    tab.click()
    browser.idle()
    browser.wait_text('.o_form_view', 'Номер документа')
    browser.screenshot('rules_subscriber_absence')


def test_accountant_previews_the_writeoff_run(browser, demo):
    from selenium.common.exceptions import TimeoutException
    browser.login('accountant', 'accountant')
    try:
        browser.open_action('neopro_billing.neopro_penalty_writeoff_action', dialog=True)
    except TimeoutException:  # the first load of a loaded machine may miss the dialog: open it once more
        browser.open_action('neopro_billing.neopro_penalty_writeoff_action', dialog=True)
    browser.wait_text('.modal', 'Долг оплачен к')
    browser.click('.modal button[name=action_preview]')
    browser.idle()
    browser.wait_text('.modal', 'Списано пени')
    browser.screenshot('rules_writeoff_preview')
