from odoo import fields, models


class NeoproMeterAverage(models.Model):
    """What a meter without reading was billed by average in a period, written by the calculation (RULES §12).

    The next actual reading of the meter deducts these volumes (the reversal), and their count caps the months in a
    row billed by average (``neopro_billing.average_months``).
    """
    _name = 'neopro.meter.average'
    _description = 'Volume billed by average'
    _order = 'period_id desc, meter_id'

    meter_id = fields.Many2one('neopro.meter', required=True, ondelete='cascade', index=True, readonly=True)
    period_id = fields.Many2one('neopro.period', required=True, ondelete='cascade', index=True, readonly=True)
    account_id = fields.Many2one('neopro.account', required=True, ondelete='cascade', index=True, readonly=True)
    volume = fields.Float(digits=(12, 3), readonly=True)

    _sql_constraints = [
        ('meter_period_unique', 'unique(meter_id, period_id)', 'A meter is billed by average once a period.'),
    ]
