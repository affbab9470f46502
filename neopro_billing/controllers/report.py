"""Printing a record the user may not read (another branch's receipt) answers 403 Forbidden, not a server error."""
import werkzeug

from odoo.exceptions import AccessError
from odoo.http import request, route

from odoo.addons.report_xlsx.controllers.main import ReportController


class NeoproReportController(ReportController):

    @route()
    def report_routes(self, reportname, docids=None, converter=None, **data):
        try:
            return super(NeoproReportController, self).report_routes(reportname, docids=docids, converter=converter,
                                                                     **data)
        except AccessError as error:
            if request.httprequest.path.startswith('/report/download'):
                raise  # the web client's download shows the message itself
            raise werkzeug.exceptions.Forbidden(error.name)
