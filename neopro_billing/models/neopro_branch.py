from odoo import api, fields, models

# How many numbers of a branch's sequence are looked at in one query when proposing a free account number.
ACCOUNT_NUMBER_BATCH = 50


class NeoproBranch(models.Model):
    _name = 'neopro.branch'
    _inherit = 'neopro.reference.mixin'
    _description = 'Branch'
    _order = 'code, name'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    address = fields.Char()
    phone = fields.Char()
    bin = fields.Char(string='BIN')
    bank_account = fields.Char(string='Bank account (IBAN)')
    bank_id = fields.Many2one('res.bank')
    account_sequence_id = fields.Many2one('ir.sequence', string='Account numbers', copy=False, ondelete='restrict',
                                          help='The sequence the next free account number (ЛС) of a new subscriber '
                                               'of the branch is proposed from: the branch code, then 5 digits.')

    _sql_constraints = [
        ('code_unique', 'unique(code)', 'The branch code must be unique.'),
    ]

    @api.model
    def create(self, vals):
        branch = super(NeoproBranch, self).create(vals)
        branch._get_account_sequence()
        return branch

    def _get_account_sequence(self):
        """The sequence of the branch's account numbers, created the first time it is needed."""
        self.ensure_one()
        if not self.account_sequence_id:
            # sudo: ir.sequence is an administrator's model; the operator who opens a new subscriber needs the
            # branch's sequence to exist, and only this method makes it (prefix and padding fixed here)
            sequence = self.env['ir.sequence'].sudo().create({
                'name': 'Account numbers %s' % self.code, 'code': 'neopro.account.%s' % self.code,
                'prefix': self.code, 'padding': 5, 'number_next': 1, 'number_increment': 1,
                'implementation': 'no_gap', 'company_id': False})
            self.sudo().account_sequence_id = sequence
        # sudo: see above
        return self.account_sequence_id.sudo()

    def _get_free_account_number(self):
        """The first number of the branch's sequence, from its next one on, that no account has (the sequence
        does not move: the number is only proposed)."""
        self.ensure_one()
        sequence = self._get_account_sequence()
        start = sequence.number_next_actual
        Account = self.env['neopro.account']
        while True:
            candidates = [sequence.get_next_char(n) for n in range(start, start + ACCOUNT_NUMBER_BATCH)]
            taken = Account._find(candidates)  # across branches: account numbers are unique
            free = next((number for number in candidates if number not in taken), None)
            if free:
                return free
            start += ACCOUNT_NUMBER_BATCH

    def _take_account_number(self, number):
        """Move the branch's sequence past ``number`` when it is one of its numbers not yet reached (a proposed
        number saved, or one typed ahead of the sequence)."""
        self.ensure_one()
        sequence = self._get_account_sequence()
        prefix = sequence.prefix or ''
        digits = (number or '')[len(prefix):]
        if not (number.startswith(prefix) and digits.isdigit() and len(digits) == sequence.padding):
            return
        if int(digits) >= sequence.number_next_actual:
            sequence.number_next_actual = int(digits) + 1
