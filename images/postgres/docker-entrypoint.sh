#!/bin/sh
# Entrypoint of rcompose-test/postgres:15, a small re-implementation of the
# official postgres image's (docker-library/postgres) behaviour:
#   - `docker run IMAGE`, `IMAGE postgres ARGS...` or `IMAGE -c key=val ...`
#     start the server; anything else (`IMAGE psql ...`, `IMAGE bash`) is
#     exec'ed as is.
#   - As root: creates PGDATA and /run/postgresql, gives them to postgres and
#     re-runs itself as postgres (setpriv, no gosu needed).
#   - First start on an empty PGDATA: initdb with POSTGRES_USER (postgres) and
#     POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#     listen on all addresses, `host all all all md5` (or
#     POSTGRES_HOST_AUTH_METHOD), create POSTGRES_DB (default: the user), run
#     /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sql.xz, *.sh against a
#     temporary socket-only server. POSTGRES_INITDB_ARGS is passed to initdb.
#     POSTGRES_PASSWORD, _USER, _DB and _INITDB_ARGS can be given as *_FILE.
#   - Then execs `postgres -D $PGDATA ARGS...` as PID 1 (SIGINT: fast shutdown).
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# file_env VAR [DEFAULT]: $VAR, else the contents of the file named by
# $VAR_FILE, else DEFAULT; exported, and VAR_FILE unset.
file_env() {
	fe_var=$1
	fe_def=${2:-}
	eval "fe_val=\${$fe_var:-}; fe_file=\${${fe_var}_FILE:-}"
	if [ -n "$fe_val" ] && [ -n "$fe_file" ]; then
		echo "error: both $fe_var and ${fe_var}_FILE are set (but are exclusive)" >&2
		exit 1
	fi
	if [ -n "$fe_file" ]; then
		fe_val=$(cat "$fe_file")
	elif [ -z "$fe_val" ]; then
		fe_val=$fe_def
	fi
	export "$fe_var=$fe_val"
	unset "${fe_var}_FILE"
}

# Like the official image: these arguments only print something, no init.
want_help() {
	for arg; do
		case "$arg" in
			'-?' | --help | --describe-config | -V | --version | -C) return 0 ;;
		esac
	done
	return 1
}

# psql against the temporary server, as the superuser, stopping on errors.
run_psql() {
	psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

init_database() {
	auth=${POSTGRES_HOST_AUTH_METHOD:-md5}
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
		cat >&2 <<-'EOM'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

			       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
			       connections without a password. This is *not* recommended.
		EOM
		exit 1
	fi
	pwfile=
	if [ -n "$POSTGRES_PASSWORD" ]; then
		pwfile=$(mktemp)
		printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	fi
	set -f # POSTGRES_INITDB_ARGS is split on spaces, not globbed
	# shellcheck disable=SC2086
	initdb -D "$PGDATA" --username="$POSTGRES_USER" ${pwfile:+"--pwfile=$pwfile"} \
		--auth-local=trust --auth-host="$auth" $POSTGRES_INITDB_ARGS
	set +f
	[ -z "$pwfile" ] || rm -f "$pwfile"

	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	# A server only reachable on its socket: not "healthy" from outside yet.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
	if [ "$POSTGRES_DB" != postgres ]; then
		echo "CREATE DATABASE :\"db\";" | run_psql --dbname postgres --set db="$POSTGRES_DB"
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					echo "$0: running $f"
					"$f"
				else
					echo "$0: sourcing $f"
					# shellcheck disable=SC1090
					. "$f"
				fi
				;;
			*.sql) echo "$0: running $f"; run_psql --dbname "$POSTGRES_DB" -f "$f" ;;
			*.sql.gz) echo "$0: running $f"; gzip -dc "$f" | run_psql --dbname "$POSTGRES_DB" ;;
			*.sql.xz) echo "$0: running $f"; xz -dc "$f" | run_psql --dbname "$POSTGRES_DB" ;;
			*) echo "$0: ignoring $f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo
	echo 'PostgreSQL init process complete; ready for start up.'
	echo
}

[ $# -gt 0 ] || set -- postgres
# `IMAGE -c shared_buffers=256MB`: options for the server.
if [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" = postgres ] && ! want_help "$@"; then
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS

	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$PGDATA" /run/postgresql
		# A volume may come from elsewhere: give it all to postgres.
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
		chmod 700 "$PGDATA"
		chown postgres:postgres /run/postgresql
		chmod 3775 /run/postgresql
		# The environment is resolved now: *_FILE were read as root.
		exec setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/lib/postgresql "$0" "$@"
	fi

	# Not root (re-run above, or `--user`): the directories must be usable.
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA" 2>/dev/null || :

	if [ -s "$PGDATA/PG_VERSION" ]; then
		echo "PostgreSQL Database directory appears to contain a database; Skipping initialization"
		echo
	else
		init_database
	fi
	shift
	exec postgres -D "$PGDATA" "$@"
fi

exec "$@"
