"""A period calculation while payments and readings are booked: nothing lost, nothing booked twice (issue 6)."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_calculation_against_concurrent_bookings(db, demo):
    out = subprocess.run(
        [os.path.join(ROOT, '.venv', 'bin', 'python'), os.path.join(ROOT, 'tests', 'concurrency_scenario.py'), db,
         os.path.join(ROOT, '.local', 'odoo.conf')],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert out.returncode == 0, out.stderr.decode()[-3000:]
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert result['errors'] == [], result
    assert result['second_calculation'] == 'refused', result
    assert 'being calculated' in result['second_calculation_message']
    assert result['second_calculation_seconds'] < 5  # refused at once, not queued behind the first
    assert (result['payments_booked'], result['payment_amount']) == (1, 777.77)
    assert result['readings_entered'] == 1
    # the payment met the calculation on the same balance row, was retried, and counted once
    assert result['charges_changed_by_a']
    assert result['attempts']['payment'] >= 2, result
    assert result['subscriber_paid_more'] == 777.77
    assert result['doubled_lines'] == 0
    assert result['unbalanced_rows'] == 0
    assert result['balances_off_ledger'] == 0
