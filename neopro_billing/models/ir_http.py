from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    def session_info(self):
        """The web client shows times in the user's time zone (as the server's messages do), not the browser's."""
        info = super(IrHttp, self).session_info()
        if request.session.uid:
            info['neopro_tz_offset'] = request.env['neopro.guard']._get_tz_offset()
        return info
