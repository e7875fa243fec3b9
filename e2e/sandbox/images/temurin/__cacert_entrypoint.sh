#!/usr/bin/env bash
# Stand-in for Temurin's /__cacert_entrypoint.sh. The real one imports the
# system CA certificates into the JDK keystore when USE_SYSTEM_CA_CERTS is set;
# here it only runs the command.
exec "$@"
