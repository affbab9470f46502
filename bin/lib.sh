# Shared helpers of bin/setup and bin/test (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
ODOO="$ROOT/bin/odoo"
export PGHOST="${PGHOST:-}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

find_python37() {
    # A pyenv shim is on PATH even where 3.7 is not selected: try each candidate for real.
    local c
    for c in /root/.pyenv/versions/3.7.*/bin/python3.7 "$HOME"/.pyenv/versions/3.7.*/bin/python3.7 \
             /usr/bin/python3.7 /usr/local/bin/python3.7 "$(command -v python3.7 || true)"; do
        [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null \
            && { echo "$c"; return 0; }
    done
    return 1
}

ensure_debian_packages() {
    local need=() p
    for p in postgresql wkhtmltopdf node-less poppler-utils chromium chromium-driver fonts-dejavu-core python3-venv \
             build-essential libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        log "Installing Debian packages: ${need[*]}"
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -q
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
    fi
}

ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        log "Starting PostgreSQL"
        local cluster ver
        cluster=$(pg_lsclusters -h 2>/dev/null | head -1) || true
        [ -n "$cluster" ] || { echo "No PostgreSQL cluster found (pg_lsclusters)." >&2; exit 1; }
        ver=$(echo "$cluster" | awk '{print $1}')
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo pg_ctlcluster --skip-systemctl-redirect "$ver" "$(echo "$cluster" | awk '{print $2}')" start
        for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
    fi
    local me; me=$(id -un)
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        log "Creating PostgreSQL superuser role $me"
        su postgres -c "createuser -s $me" 2>/dev/null || sudo -u postgres createuser -s "$me"
    fi
}

ensure_venv() {
    local py stamp want
    stamp="$VENV/.requirements.sha"
    want=$(sha1sum "$ROOT/requirements.txt" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    py=$(find_python37) || {
        echo "Python 3.7 is required (Odoo 11 does not run on 3.8+)." >&2
        echo "Install it with 'pyenv install 3.7' or your distribution's python3.7 package, then re-run." >&2
        exit 1; }
    log "Creating the Odoo 11 virtualenv with $py"
    [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
    "$VENV/bin/pip" install -q --no-deps -r "$ROOT/requirements.txt" 2>&1 | grep -v "is ignored: it is neither" || true
    "$VENV/bin/python" -c "import odoo, xlsxwriter, openpyxl, xlrd, qrcode" 
    echo "$want" > "$stamp"
}

# The Odoo configuration used by every command: our add-on path next to the venv's add-ons.
# The database manager stays closed: no database list, the web server on 127.0.0.1 only, and a random master
# password (admin_passwd) generated once, printed once and kept in .local/odoo.conf (not committed).
write_config() {
    mkdir -p "$ROOT/.local"
    local conf="$ROOT/.local/odoo.conf" passwd="" generated=0
    [ -f "$conf" ] && passwd=$(sed -n 's/^admin_passwd *= *//p' "$conf" | head -1)
    if [ -z "$passwd" ] || [ "$passwd" = admin ]; then
        passwd=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
        generated=1
    fi
    (umask 077; cat > "$conf" <<CONF
[options]
addons_path = $VENV/lib/python3.7/site-packages/odoo/addons,$ROOT
data_dir = $ROOT/.local/data
admin_passwd = $passwd
db_host = False
db_port = False
db_user = False
db_password = False
list_db = False
http_interface = 127.0.0.1
without_demo = False
server_wide_modules = web,queue_job
limit_time_real = 1200
limit_time_cpu = 1200
limit_memory_soft = 2147483648
limit_memory_hard = 2684354560

[queue_job]
channels = root:2
CONF
    )
    chmod 600 "$conf"
    if [ "$generated" = 1 ]; then
        log "Database manager master password (printed once, kept in .local/odoo.conf): $passwd"
    fi
}

ensure_all() {
    ensure_debian_packages
    ensure_postgres
    ensure_venv
    write_config
    export NODE_PATH=/usr/share/nodejs
}

db_exists() { psql -d postgres -tAc "select 1 from pg_database where datname = '$1'" | grep -q 1; }

# A database with base and our add-on's dependencies installed, cached by the hash of what defines it.
ensure_template() {
    local deps key name
    deps=$("$VENV/bin/python" -c "import ast,sys; m=ast.literal_eval(open('$ROOT/neopro_billing/__manifest__.py').read()); print(','.join(m['depends']))")
    key=$( (cat "$ROOT/requirements.txt"; echo "$deps") | sha1sum | cut -c1-10)
    name="neopro_tmpl_$key"
    if ! db_exists "$name"; then
        log "Building template database $name (base,$deps)"
        local args=(-c "$ROOT/.local/odoo.conf" -d "$name" --stop-after-init --log-level=warn --http-port=0)
        # No demo data of Odoo's own modules (US invoices, sample partners): only ours, later.
        "$ODOO" "${args[@]}" -i "base,$deps" --without-demo=all --load-language=ru_RU 2>&1 | tail -20 >&2
        # A Kazakh utility keeps its books in tenge (no journal item exists yet).
        psql -q -d "$name" -c "update res_currency set active = true where name = 'KZT';
            update res_company set currency_id = (select id from res_currency where name = 'KZT')"
        psql -d "$name" -tAc "select count(*) from ir_module_module where state='installed' and name='base'" | grep -q 1 \
            || { echo "template database $name failed to build" >&2; dropdb --if-exists "$name"; exit 1; }
    fi
    echo "$name"
}
