import base64
import hashlib

from odoo import api, fields, models

from ..lib import file_parser
from ..lib.sql_copy import copy_rows


class NeoproFileRegistryMixin(models.AbstractModel):
    """A file loaded into the billing (RULES §14): bank registries (``neopro.payment.file``) and readings files
    (``neopro.reading.file``) share its skeleton — the original kept, its hash refusing the same file twice, the
    counts, the record made in the import's savepoint and the load protocol written at once.

    A model names its protocol table (``_protocol_table``, rows with ``file_id``) and the keys of its protocol
    dicts in the table's column order (``_protocol_columns``).
    """
    _name = 'neopro.file.registry.mixin'
    _description = 'Loaded exchange file'

    _protocol_table = None
    _protocol_columns = ()
    # Lines checked and written at a time while the next ones are read (``file_parser.StreamedLines``; a class
    # attribute: tests make it small).
    _import_chunk_lines = file_parser.CHUNK_LINES

    name = fields.Char(string='File', required=True, readonly=True)
    upload_date = fields.Datetime(string='Uploaded on', required=True, readonly=True, index=True,
                                  default=fields.Datetime.now)
    loaded_count = fields.Integer(string='Loaded', readonly=True)
    error_count = fields.Integer(string='Errors', readonly=True)
    file_hash = fields.Char(string='SHA-256', readonly=True, index=True, copy=False)
    data_file = fields.Binary(string='Original file', attachment=True, readonly=True)

    _sql_constraints = [
        ('file_hash_unique', 'unique(file_hash)', 'This file has been loaded already.'),
    ]

    @api.model
    def _get_file_hash(self, data):
        """The file's identity: SHA-256 of its bytes."""
        return hashlib.sha256(data).hexdigest()

    @api.model
    def _create_loaded_file(self, vals, data, file_hash):
        """The file record with its original, as the real user (call it inside the import's savepoint)."""
        # sudo: a loaded file is made only here, by a user the import allowed to load it, from the file he loaded
        # (nobody creates or edits one over RPC); the loader stays the real user
        record = self.sudo().create(dict(vals, file_hash=file_hash, data_file=base64.b64encode(data),
                                         user_id=self.env.uid))
        return record.sudo(self.env.uid)

    @api.model
    def _insert_errors(self, record, errors):
        """Write the load protocol (dicts of ``_protocol_columns``) with one COPY."""
        if not errors:
            return
        uid, now = self.env.uid, fields.Datetime.now()
        columns = self._protocol_columns
        rows = [tuple(e[c] for c in columns) for e in errors]
        copy_rows(self.env.cr, self._protocol_table, columns, rows, constants={
            'file_id': record.id, 'create_uid': uid, 'write_uid': uid, 'create_date': now, 'write_date': now})
