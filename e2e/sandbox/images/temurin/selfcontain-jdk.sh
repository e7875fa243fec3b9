#!/bin/sh
# selfcontain-jdk.sh -- turn Debian's openjdk-17-jdk-headless into a
# Temurin-like self-contained JDK at /opt/java/openjdk.
#
# Temurin's JDK needs nothing outside its directory but glibc. Debian's links
# into /etc (conf/*, lib/jvm.cfg, lib/security/cacerts, ...) and loads zlib,
# libstdc++ and libgcc_s from the system, so a JDK copied out of it, or a
# jlink runtime made from it, fails on distroless base/cc
# ("libz.so.1: cannot open shared object file") where Temurin's runs. Here:
#  - the JDK moves to /opt/java/openjdk; Debian's path links back to it;
#  - links pointing outside the JDK become copies, dangling ones go;
#  - libz.so.1, libstdc++.so.6 and libgcc_s.so.1 are bundled in lib/, and
#    lib/server/libjvm.so gets RUNPATH $ORIGIN:$ORIGIN/.. (bin/java, libjli
#    and libzip already look in lib/ through $ORIGIN);
#  - the same is done inside jmods/java.base.jmod, so jlink output carries
#    the libraries too (only the other modules' hashes are recorded in
#    java.base, so a rebuilt java.base.jmod is accepted).
set -eux
deb=/usr/lib/jvm/java-17-openjdk-amd64
J=/opt/java/openjdk
src=$(readlink -f "$deb")
mkdir -p /opt/java
mv "$src" "$J"
ln -s "$J" "$deb"

find "$J" -type l | while IFS= read -r l; do
    t=$(readlink "$l")
    if [ ! -e "$l" ]; then
        rm -f "$l"
    else
        case "$t" in
            /*) cp --remove-destination -p "$(readlink -f "$l")" "$l" ;;
        esac
    fi
done
if find "$J" -type l | grep -q .; then
    find "$J" -type l -exec ls -l {} + | grep -- '-> /' && { echo "absolute links left in $J" >&2; exit 1; } || true
fi

LIBS="libz.so.1 libstdc++.so.6 libgcc_s.so.1"
bundle() { # bundle LIBDIR
    for l in $LIBS; do cp -L "/usr/lib/x86_64-linux-gnu/$l" "$1/$l"; done
    patchelf --set-rpath '$ORIGIN:$ORIGIN/..' "$1/server/libjvm.so"
}
bundle "$J/lib"

work=$(mktemp -d)
"$J/bin/jmod" extract --dir "$work/x" "$J/jmods/java.base.jmod"
bundle "$work/x/lib"
set -- --class-path "$work/x/classes" --libs "$work/x/lib"
[ -d "$work/x/bin" ] && set -- "$@" --cmds "$work/x/bin"
[ -d "$work/x/conf" ] && set -- "$@" --config "$work/x/conf"
[ -d "$work/x/include" ] && set -- "$@" --header-files "$work/x/include"
[ -d "$work/x/legal" ] && set -- "$@" --legal-notices "$work/x/legal"
[ -d "$work/x/man" ] && set -- "$@" --man-pages "$work/x/man"
"$J/bin/jmod" create "$@" --target-platform linux-amd64 "$work/java.base.jmod"
mv "$work/java.base.jmod" "$J/jmods/java.base.jmod"
rm -rf "$work"

# a jlink runtime must work without the system's zlib/libstdc++/libgcc_s
"$J/bin/jlink" --add-modules java.base --strip-debug --no-man-pages --no-header-files --output "$work.rt"
for l in $LIBS; do test -e "$work.rt/lib/$l"; done
readelf -d "$work.rt/lib/server/libjvm.so" | grep -q 'RUNPATH.*\$ORIGIN:\$ORIGIN/\.\.'
"$work.rt/bin/java" -version
rm -rf "$work.rt"
"$J/bin/java" -version
