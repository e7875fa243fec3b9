"""The generated ``__init__`` of every record class of the package, compiled with it.

Written by ``python -m hardener.record``, which tests/test_record_inits.py asks for when a record
changes; ``hardener.record`` compiles the source of a record that is not here. Each function's
defaults and globals are the record's own, given when its ``__init__`` is made: ``None`` below
holds their places. Do not edit.
"""


def _0(self, changed, changes, ports, writable_dirs=None):
  __dict = self.__dict__
  __dict['changed'] = changed
  __dict['changes'] = changes
  __dict['ports'] = ports
  __dict['writable_dirs'] = writable_dirs


def _1(self, code, name, severity, fix, aliases, message, docs, summary):
  __dict = self.__dict__
  __dict['code'] = code
  __dict['name'] = name
  __dict['severity'] = severity
  __dict['fix'] = fix
  __dict['aliases'] = aliases
  __dict['message'] = message
  __dict['docs'] = docs
  __dict['summary'] = summary


def _2(self, code, name, severity, message, start, end, fix=None, instruction=None, line=None, column=None, end_line=None, end_column=None, extra=None):
  __dict = self.__dict__
  __dict['code'] = code
  __dict['name'] = name
  __dict['severity'] = severity
  __dict['message'] = message
  __dict['start'] = start
  __dict['end'] = end
  __dict['fix'] = fix
  __dict['instruction'] = instruction
  __dict['line'] = line
  __dict['column'] = column
  __dict['end_line'] = end_line
  __dict['end_column'] = end_column
  if extra is _MISSING: extra = _f_extra()
  __dict['extra'] = extra


def _3(self, commands, known, unknown_reasons, has_pipe, sets_pipefail):
  __dict = self.__dict__
  __dict['commands'] = commands
  __dict['known'] = known
  __dict['unknown_reasons'] = unknown_reasons
  __dict['has_pipe'] = has_pipe
  __dict['sets_pipefail'] = sets_pipefail


def _4(self, depth=None, files=None, total_bytes=None, expanded=None):
  __dict = self.__dict__
  __dict['depth'] = depth
  __dict['files'] = files
  __dict['total_bytes'] = total_bytes
  __dict['expanded'] = expanded


def _5(self, digest, media_type, platforms):
  __dict = self.__dict__
  __dict['digest'] = digest
  __dict['media_type'] = media_type
  __dict['platforms'] = platforms


def _6(self, directive, parents, context):
  __dict = self.__dict__
  __dict['directive'] = directive
  __dict['parents'] = parents
  __dict['context'] = context


def _7(self, directive, pattern, reason):
  __dict = self.__dict__
  __dict['directive'] = directive
  __dict['pattern'] = pattern
  __dict['reason'] = reason


def _8(self, dirs, known, why_unknown=None, outside=None):
  __dict = self.__dict__
  __dict['dirs'] = dirs
  __dict['known'] = known
  __dict['why_unknown'] = why_unknown
  __dict['outside'] = outside


def _9(self, family, uid, binary, conf_files, writable, html):
  __dict = self.__dict__
  __dict['family'] = family
  __dict['uid'] = uid
  __dict['binary'] = binary
  __dict['conf_files'] = conf_files
  __dict['writable'] = writable
  __dict['html'] = html


def _10(self, file, line, message):
  __dict = self.__dict__
  __dict['file'] = file
  __dict['line'] = line
  __dict['message'] = message


def _11(self, file, line, path, text):
  __dict = self.__dict__
  __dict['file'] = file
  __dict['line'] = line
  __dict['path'] = path
  __dict['text'] = text


def _12(self, file, name, args, start, end, children=None, body=None):
  __dict = self.__dict__
  __dict['file'] = file
  __dict['name'] = name
  __dict['args'] = args
  __dict['start'] = start
  __dict['end'] = end
  __dict['children'] = children
  __dict['body'] = body


def _13(self, file, start, end, text):
  __dict = self.__dict__
  __dict['file'] = file
  __dict['start'] = start
  __dict['end'] = end
  __dict['text'] = text


def _14(self, host, port, unix=None):
  __dict = self.__dict__
  __dict['host'] = host
  __dict['port'] = port
  __dict['unix'] = unix


def _15(self, index, alias, from_, base, platform, parent, instructions, ships, args=None):
  __dict = self.__dict__
  __dict['index'] = index
  __dict['alias'] = alias
  __dict['from_'] = from_
  __dict['base'] = base
  __dict['platform'] = platform
  __dict['parent'] = parent
  __dict['instructions'] = instructions
  __dict['ships'] = ships
  __dict['args'] = args


def _16(self, ins, sources, dest, dest_is_dir, from_stage, chown, heredoc, urls, workdir):
  __dict = self.__dict__
  __dict['ins'] = ins
  __dict['sources'] = sources
  __dict['dest'] = dest
  __dict['dest_is_dir'] = dest_is_dir
  __dict['from_stage'] = from_stage
  __dict['chown'] = chown
  __dict['heredoc'] = heredoc
  __dict['urls'] = urls
  __dict['workdir'] = workdir


def _17(self, instruction, ref, where, start, end):
  __dict = self.__dict__
  __dict['instruction'] = instruction
  __dict['ref'] = ref
  __dict['where'] = where
  __dict['start'] = start
  __dict['end'] = end


def _18(self, instruction, user, root, image, drops_privileges):
  __dict = self.__dict__
  __dict['instruction'] = instruction
  __dict['user'] = user
  __dict['root'] = root
  __dict['image'] = image
  __dict['drops_privileges'] = drops_privileges


def _19(self, key, as_root, files, entrypoint_dirs):
  __dict = self.__dict__
  __dict['key'] = key
  __dict['as_root'] = as_root
  __dict['files'] = files
  __dict['entrypoint_dirs'] = entrypoint_dirs


def _20(self, key, known, family, os_version, default_user, default_uid, nonroot_user, nonroot_uid, has_shell, package_manager, libc, runtime, runtime_version, drops_privileges, hardened, counterparts, entrypoint=None, note=None):
  __dict = self.__dict__
  __dict['key'] = key
  __dict['known'] = known
  __dict['family'] = family
  __dict['os_version'] = os_version
  __dict['default_user'] = default_user
  __dict['default_uid'] = default_uid
  __dict['nonroot_user'] = nonroot_user
  __dict['nonroot_uid'] = nonroot_uid
  __dict['has_shell'] = has_shell
  __dict['package_manager'] = package_manager
  __dict['libc'] = libc
  __dict['runtime'] = runtime
  __dict['runtime_version'] = runtime_version
  __dict['drops_privileges'] = drops_privileges
  __dict['hardened'] = hardened
  __dict['counterparts'] = counterparts
  __dict['entrypoint'] = entrypoint
  __dict['note'] = note


def _21(self, keyword, start, end, trivia_start, start_line, end_line, line, segments, flags, args_start, json, argv, heredocs, sub=None, index=None, stage=None):
  __dict = self.__dict__
  __dict['keyword'] = keyword
  __dict['start'] = start
  __dict['end'] = end
  __dict['trivia_start'] = trivia_start
  __dict['start_line'] = start_line
  __dict['end_line'] = end_line
  __dict['line'] = line
  __dict['segments'] = segments
  __dict['flags'] = flags
  __dict['args_start'] = args_start
  __dict['json'] = json
  __dict['argv'] = argv
  __dict['heredocs'] = heredocs
  __dict['sub'] = sub
  __dict['index'] = index
  __dict['stage'] = stage


def _22(self, kind, start, end, line):
  __dict = self.__dict__
  __dict['kind'] = kind
  __dict['start'] = start
  __dict['end'] = end
  __dict['line'] = line


def _23(self, kind, target, source_from):
  __dict = self.__dict__
  __dict['kind'] = kind
  __dict['target'] = target
  __dict['source_from'] = source_from


def _24(self, line, message):
  __dict = self.__dict__
  __dict['line'] = line
  __dict['message'] = message


def _25(self, line, where, start, end, literal, registry, repository, tag, digest):
  __dict = self.__dict__
  __dict['line'] = line
  __dict['where'] = where
  __dict['start'] = start
  __dict['end'] = end
  __dict['literal'] = literal
  __dict['registry'] = registry
  __dict['repository'] = repository
  __dict['tag'] = tag
  __dict['digest'] = digest


def _26(self, line, where, written, reason):
  __dict = self.__dict__
  __dict['line'] = line
  __dict['where'] = where
  __dict['written'] = written
  __dict['reason'] = reason


def _27(self, lstart, sstart, length):
  __dict = self.__dict__
  __dict['lstart'] = lstart
  __dict['sstart'] = sstart
  __dict['length'] = length


def _28(self, name, content, chomp, expand, fd, body_start, body_end):
  __dict = self.__dict__
  __dict['name'] = name
  __dict['content'] = content
  __dict['chomp'] = chomp
  __dict['expand'] = expand
  __dict['fd'] = fd
  __dict['body_start'] = body_start
  __dict['body_end'] = body_end


def _29(self, name, value, line):
  __dict = self.__dict__
  __dict['name'] = name
  __dict['value'] = value
  __dict['line'] = line


def _30(self, path, text, directives):
  __dict = self.__dict__
  __dict['path'] = path
  __dict['text'] = text
  __dict['directives'] = directives


def _31(self, pid=None, temp_dir=None, writable=None, prefix=None, port_map=None, missing_files=None, stdio_logs=None, temp_paths=None, source_as_root=None):
  __dict = self.__dict__
  __dict['pid'] = pid
  __dict['temp_dir'] = temp_dir
  __dict['writable'] = writable
  __dict['prefix'] = prefix
  __dict['port_map'] = port_map
  __dict['missing_files'] = missing_files
  __dict['stdio_logs'] = stdio_logs
  __dict['temp_paths'] = temp_paths
  __dict['source_as_root'] = source_as_root


def _32(self, port, address, directive, word=None):
  __dict = self.__dict__
  __dict['port'] = port
  __dict['address'] = address
  __dict['directive'] = directive
  __dict['word'] = word


def _33(self, port, what, where, instruction=None):
  __dict = self.__dict__
  __dict['port'] = port
  __dict['what'] = what
  __dict['where'] = where
  __dict['instruction'] = instruction


def _34(self, raw, value, start, end):
  __dict = self.__dict__
  __dict['raw'] = raw
  __dict['value'] = value
  __dict['start'] = start
  __dict['end'] = end


def _35(self, raw, value, start, end, line):
  __dict = self.__dict__
  __dict['raw'] = raw
  __dict['value'] = value
  __dict['start'] = start
  __dict['end'] = end
  __dict['line'] = line


def _36(self, reason, file=None, line=None):
  __dict = self.__dict__
  __dict['reason'] = reason
  __dict['file'] = file
  __dict['line'] = line


def _37(self, root, context, conf_dir, files, includes, unresolved=None, opaque=None):
  __dict = self.__dict__
  __dict['root'] = root
  __dict['context'] = context
  __dict['conf_dir'] = conf_dir
  __dict['files'] = files
  __dict['includes'] = includes
  __dict['unresolved'] = unresolved
  if opaque is _MISSING: opaque = _f_opaque()
  __dict['opaque'] = opaque


def _38(self, runtime, roots=None, copies=None, env=None, entrypoint=None, cmd=None, stages=None, copy_stage=None, program=None, command=None, provided=None, source_check=None, command_ports=None, files=None, expose=None, ports=None, writes=None):
  self.runtime = runtime
  if roots is _MISSING: roots = _f_roots()
  self.roots = roots
  if copies is _MISSING: copies = _f_copies()
  self.copies = copies
  if env is _MISSING: env = _f_env()
  self.env = env
  self.entrypoint = entrypoint
  self.cmd = cmd
  if stages is _MISSING: stages = _f_stages()
  self.stages = stages
  self.copy_stage = copy_stage
  self.program = program
  self.command = command
  self.provided = provided
  self.source_check = source_check
  self.command_ports = command_ports
  if files is _MISSING: files = _f_files()
  self.files = files
  self.expose = expose
  if ports is _MISSING: ports = _f_ports()
  self.ports = ports
  self.writes = writes


def _39(self, seen=None, http=None):
  if seen is _MISSING: seen = _f_seen()
  self.seen = seen
  self.http = http


def _40(self, select=None, ignore=None, severity=None, failure_threshold=None, unsafe_fixes=None, trusted_registries=None, images=None, pins=None, build_target=None, path=None):
  __dict = self.__dict__
  __dict['select'] = select
  __dict['ignore'] = ignore
  if severity is _MISSING: severity = _f_severity()
  __dict['severity'] = severity
  __dict['failure_threshold'] = failure_threshold
  __dict['unsafe_fixes'] = unsafe_fixes
  __dict['trusted_registries'] = trusted_registries
  __dict['images'] = images
  if pins is _MISSING: pins = _f_pins()
  __dict['pins'] = pins
  __dict['build_target'] = build_target
  __dict['path'] = path


def _41(self, source, applied=None, remaining=None, reverted=None, passes=None):
  self.source = source
  if applied is _MISSING: applied = _f_applied()
  self.applied = applied
  if remaining is _MISSING: remaining = _f_remaining()
  self.remaining = remaining
  if reverted is _MISSING: reverted = _f_reverted()
  self.reverted = reverted
  self.passes = passes


def _42(self, source, instructions, stages, directives, escape, global_args, tail, error=None):
  __dict = self.__dict__
  __dict['source'] = source
  __dict['instructions'] = instructions
  __dict['stages'] = stages
  __dict['directives'] = directives
  __dict['escape'] = escape
  __dict['global_args'] = global_args
  __dict['tail'] = tail
  __dict['error'] = error


def _43(self, start, end, content):
  __dict = self.__dict__
  __dict['start'] = start
  __dict['end'] = end
  __dict['content'] = content


def _44(self, start, end, next):
  __dict = self.__dict__
  __dict['start'] = start
  __dict['end'] = end
  __dict['next'] = next


def _45(self, tag, digest, platforms=None, resolved_at=None):
  __dict = self.__dict__
  __dict['tag'] = tag
  __dict['digest'] = digest
  __dict['platforms'] = platforms
  __dict['resolved_at'] = resolved_at


def _46(self, text, exclusion, kind, regex=None):
  __dict = self.__dict__
  __dict['text'] = text
  __dict['exclusion'] = exclusion
  __dict['kind'] = kind
  __dict['regex'] = regex


def _47(self, text, path=None, bom=None, lines=None):
  __dict = self.__dict__
  __dict['text'] = text
  __dict['path'] = path
  __dict['bom'] = bom
  __dict['lines'] = lines


def _48(self, text, pinned=None, updated=None, current=None, missing=None, stale=None, skipped=None, errors=None, entries=None):
  self.text = text
  if pinned is _MISSING: pinned = _f_pinned()
  self.pinned = pinned
  if updated is _MISSING: updated = _f_updated()
  self.updated = updated
  if current is _MISSING: current = _f_current()
  self.current = current
  if missing is _MISSING: missing = _f_missing()
  self.missing = missing
  if stale is _MISSING: stale = _f_stale()
  self.stale = stale
  if skipped is _MISSING: skipped = _f_skipped()
  self.skipped = skipped
  if errors is _MISSING: errors = _f_errors()
  self.errors = errors
  if entries is _MISSING: entries = _f_entries()
  self.entries = entries


def _49(self, text, start, end):
  __dict = self.__dict__
  __dict['text'] = text
  __dict['start'] = start
  __dict['end'] = end


def _50(self, title, applicability, edits):
  __dict = self.__dict__
  __dict['title'] = title
  __dict['applicability'] = applicability
  __dict['edits'] = edits


def _51(self, tool, codes, resolved, unknown, is_global, line, start, end, target):
  __dict = self.__dict__
  __dict['tool'] = tool
  __dict['codes'] = codes
  __dict['resolved'] = resolved
  __dict['unknown'] = unknown
  __dict['is_global'] = is_global
  __dict['line'] = line
  __dict['start'] = start
  __dict['end'] = end
  __dict['target'] = target


def _52(self, username, secret=None):
  __dict = self.__dict__
  __dict['username'] = username
  __dict['secret'] = secret


def _53(self, vars, env, shell, user, workdir=None):
  __dict = self.__dict__
  __dict['vars'] = vars
  __dict['env'] = env
  __dict['shell'] = shell
  __dict['user'] = user
  __dict['workdir'] = workdir


def _54(self, words, assignments, redirects, start, end, op_before, op_after, depth, origin):
  __dict = self.__dict__
  __dict['words'] = words
  __dict['assignments'] = assignments
  __dict['redirects'] = redirects
  __dict['start'] = start
  __dict['end'] = end
  __dict['op_before'] = op_before
  __dict['op_after'] = op_after
  __dict['depth'] = depth
  __dict['origin'] = origin


def _55(self, written, value, registry=None, repository=None, tag=None, digest=None, unresolved=None):
  __dict = self.__dict__
  __dict['written'] = written
  __dict['value'] = value
  __dict['registry'] = registry
  __dict['repository'] = repository
  __dict['tag'] = tag
  __dict['digest'] = digest
  __dict['unresolved'] = unresolved


INITS = {
    "def __init__(self, changed, changes, ports, writable_dirs=_d_writable_dirs):\n  __dict = self.__dict__\n  __dict['changed'] = changed\n  __dict['changes'] = changes\n  __dict['ports'] = ports\n  __dict['writable_dirs'] = writable_dirs\n": _0.__code__,
    "def __init__(self, code, name, severity, fix, aliases, message, docs, summary):\n  __dict = self.__dict__\n  __dict['code'] = code\n  __dict['name'] = name\n  __dict['severity'] = severity\n  __dict['fix'] = fix\n  __dict['aliases'] = aliases\n  __dict['message'] = message\n  __dict['docs'] = docs\n  __dict['summary'] = summary\n": _1.__code__,
    "def __init__(self, code, name, severity, message, start, end, fix=_d_fix, instruction=_d_instruction, line=_d_line, column=_d_column, end_line=_d_end_line, end_column=_d_end_column, extra=_MISSING):\n  __dict = self.__dict__\n  __dict['code'] = code\n  __dict['name'] = name\n  __dict['severity'] = severity\n  __dict['message'] = message\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['fix'] = fix\n  __dict['instruction'] = instruction\n  __dict['line'] = line\n  __dict['column'] = column\n  __dict['end_line'] = end_line\n  __dict['end_column'] = end_column\n  if extra is _MISSING: extra = _f_extra()\n  __dict['extra'] = extra\n": _2.__code__,
    "def __init__(self, commands, known, unknown_reasons, has_pipe, sets_pipefail):\n  __dict = self.__dict__\n  __dict['commands'] = commands\n  __dict['known'] = known\n  __dict['unknown_reasons'] = unknown_reasons\n  __dict['has_pipe'] = has_pipe\n  __dict['sets_pipefail'] = sets_pipefail\n": _3.__code__,
    "def __init__(self, depth=_d_depth, files=_d_files, total_bytes=_d_total_bytes, expanded=_d_expanded):\n  __dict = self.__dict__\n  __dict['depth'] = depth\n  __dict['files'] = files\n  __dict['total_bytes'] = total_bytes\n  __dict['expanded'] = expanded\n": _4.__code__,
    "def __init__(self, digest, media_type, platforms):\n  __dict = self.__dict__\n  __dict['digest'] = digest\n  __dict['media_type'] = media_type\n  __dict['platforms'] = platforms\n": _5.__code__,
    "def __init__(self, directive, parents, context):\n  __dict = self.__dict__\n  __dict['directive'] = directive\n  __dict['parents'] = parents\n  __dict['context'] = context\n": _6.__code__,
    "def __init__(self, directive, pattern, reason):\n  __dict = self.__dict__\n  __dict['directive'] = directive\n  __dict['pattern'] = pattern\n  __dict['reason'] = reason\n": _7.__code__,
    "def __init__(self, dirs, known, why_unknown=_d_why_unknown, outside=_d_outside):\n  __dict = self.__dict__\n  __dict['dirs'] = dirs\n  __dict['known'] = known\n  __dict['why_unknown'] = why_unknown\n  __dict['outside'] = outside\n": _8.__code__,
    "def __init__(self, family, uid, binary, conf_files, writable, html):\n  __dict = self.__dict__\n  __dict['family'] = family\n  __dict['uid'] = uid\n  __dict['binary'] = binary\n  __dict['conf_files'] = conf_files\n  __dict['writable'] = writable\n  __dict['html'] = html\n": _9.__code__,
    "def __init__(self, file, line, message):\n  __dict = self.__dict__\n  __dict['file'] = file\n  __dict['line'] = line\n  __dict['message'] = message\n": _10.__code__,
    "def __init__(self, file, line, path, text):\n  __dict = self.__dict__\n  __dict['file'] = file\n  __dict['line'] = line\n  __dict['path'] = path\n  __dict['text'] = text\n": _11.__code__,
    "def __init__(self, file, name, args, start, end, children=_d_children, body=_d_body):\n  __dict = self.__dict__\n  __dict['file'] = file\n  __dict['name'] = name\n  __dict['args'] = args\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['children'] = children\n  __dict['body'] = body\n": _12.__code__,
    "def __init__(self, file, start, end, text):\n  __dict = self.__dict__\n  __dict['file'] = file\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['text'] = text\n": _13.__code__,
    "def __init__(self, host, port, unix=_d_unix):\n  __dict = self.__dict__\n  __dict['host'] = host\n  __dict['port'] = port\n  __dict['unix'] = unix\n": _14.__code__,
    "def __init__(self, index, alias, from_, base, platform, parent, instructions, ships, args=_d_args):\n  __dict = self.__dict__\n  __dict['index'] = index\n  __dict['alias'] = alias\n  __dict['from_'] = from_\n  __dict['base'] = base\n  __dict['platform'] = platform\n  __dict['parent'] = parent\n  __dict['instructions'] = instructions\n  __dict['ships'] = ships\n  __dict['args'] = args\n": _15.__code__,
    "def __init__(self, ins, sources, dest, dest_is_dir, from_stage, chown, heredoc, urls, workdir):\n  __dict = self.__dict__\n  __dict['ins'] = ins\n  __dict['sources'] = sources\n  __dict['dest'] = dest\n  __dict['dest_is_dir'] = dest_is_dir\n  __dict['from_stage'] = from_stage\n  __dict['chown'] = chown\n  __dict['heredoc'] = heredoc\n  __dict['urls'] = urls\n  __dict['workdir'] = workdir\n": _16.__code__,
    "def __init__(self, instruction, ref, where, start, end):\n  __dict = self.__dict__\n  __dict['instruction'] = instruction\n  __dict['ref'] = ref\n  __dict['where'] = where\n  __dict['start'] = start\n  __dict['end'] = end\n": _17.__code__,
    "def __init__(self, instruction, user, root, image, drops_privileges):\n  __dict = self.__dict__\n  __dict['instruction'] = instruction\n  __dict['user'] = user\n  __dict['root'] = root\n  __dict['image'] = image\n  __dict['drops_privileges'] = drops_privileges\n": _18.__code__,
    "def __init__(self, key, as_root, files, entrypoint_dirs):\n  __dict = self.__dict__\n  __dict['key'] = key\n  __dict['as_root'] = as_root\n  __dict['files'] = files\n  __dict['entrypoint_dirs'] = entrypoint_dirs\n": _19.__code__,
    "def __init__(self, key, known, family, os_version, default_user, default_uid, nonroot_user, nonroot_uid, has_shell, package_manager, libc, runtime, runtime_version, drops_privileges, hardened, counterparts, entrypoint=_d_entrypoint, note=_d_note):\n  __dict = self.__dict__\n  __dict['key'] = key\n  __dict['known'] = known\n  __dict['family'] = family\n  __dict['os_version'] = os_version\n  __dict['default_user'] = default_user\n  __dict['default_uid'] = default_uid\n  __dict['nonroot_user'] = nonroot_user\n  __dict['nonroot_uid'] = nonroot_uid\n  __dict['has_shell'] = has_shell\n  __dict['package_manager'] = package_manager\n  __dict['libc'] = libc\n  __dict['runtime'] = runtime\n  __dict['runtime_version'] = runtime_version\n  __dict['drops_privileges'] = drops_privileges\n  __dict['hardened'] = hardened\n  __dict['counterparts'] = counterparts\n  __dict['entrypoint'] = entrypoint\n  __dict['note'] = note\n": _20.__code__,
    "def __init__(self, keyword, start, end, trivia_start, start_line, end_line, line, segments, flags, args_start, json, argv, heredocs, sub=_d_sub, index=_d_index, stage=_d_stage):\n  __dict = self.__dict__\n  __dict['keyword'] = keyword\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['trivia_start'] = trivia_start\n  __dict['start_line'] = start_line\n  __dict['end_line'] = end_line\n  __dict['line'] = line\n  __dict['segments'] = segments\n  __dict['flags'] = flags\n  __dict['args_start'] = args_start\n  __dict['json'] = json\n  __dict['argv'] = argv\n  __dict['heredocs'] = heredocs\n  __dict['sub'] = sub\n  __dict['index'] = index\n  __dict['stage'] = stage\n": _21.__code__,
    "def __init__(self, kind, start, end, line):\n  __dict = self.__dict__\n  __dict['kind'] = kind\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['line'] = line\n": _22.__code__,
    "def __init__(self, kind, target, source_from):\n  __dict = self.__dict__\n  __dict['kind'] = kind\n  __dict['target'] = target\n  __dict['source_from'] = source_from\n": _23.__code__,
    "def __init__(self, line, message):\n  __dict = self.__dict__\n  __dict['line'] = line\n  __dict['message'] = message\n": _24.__code__,
    "def __init__(self, line, where, start, end, literal, registry, repository, tag, digest):\n  __dict = self.__dict__\n  __dict['line'] = line\n  __dict['where'] = where\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['literal'] = literal\n  __dict['registry'] = registry\n  __dict['repository'] = repository\n  __dict['tag'] = tag\n  __dict['digest'] = digest\n": _25.__code__,
    "def __init__(self, line, where, written, reason):\n  __dict = self.__dict__\n  __dict['line'] = line\n  __dict['where'] = where\n  __dict['written'] = written\n  __dict['reason'] = reason\n": _26.__code__,
    "def __init__(self, lstart, sstart, length):\n  __dict = self.__dict__\n  __dict['lstart'] = lstart\n  __dict['sstart'] = sstart\n  __dict['length'] = length\n": _27.__code__,
    "def __init__(self, name, content, chomp, expand, fd, body_start, body_end):\n  __dict = self.__dict__\n  __dict['name'] = name\n  __dict['content'] = content\n  __dict['chomp'] = chomp\n  __dict['expand'] = expand\n  __dict['fd'] = fd\n  __dict['body_start'] = body_start\n  __dict['body_end'] = body_end\n": _28.__code__,
    "def __init__(self, name, value, line):\n  __dict = self.__dict__\n  __dict['name'] = name\n  __dict['value'] = value\n  __dict['line'] = line\n": _29.__code__,
    "def __init__(self, path, text, directives):\n  __dict = self.__dict__\n  __dict['path'] = path\n  __dict['text'] = text\n  __dict['directives'] = directives\n": _30.__code__,
    "def __init__(self, pid=_d_pid, temp_dir=_d_temp_dir, writable=_d_writable, prefix=_d_prefix, port_map=_d_port_map, missing_files=_d_missing_files, stdio_logs=_d_stdio_logs, temp_paths=_d_temp_paths, source_as_root=_d_source_as_root):\n  __dict = self.__dict__\n  __dict['pid'] = pid\n  __dict['temp_dir'] = temp_dir\n  __dict['writable'] = writable\n  __dict['prefix'] = prefix\n  __dict['port_map'] = port_map\n  __dict['missing_files'] = missing_files\n  __dict['stdio_logs'] = stdio_logs\n  __dict['temp_paths'] = temp_paths\n  __dict['source_as_root'] = source_as_root\n": _31.__code__,
    "def __init__(self, port, address, directive, word=_d_word):\n  __dict = self.__dict__\n  __dict['port'] = port\n  __dict['address'] = address\n  __dict['directive'] = directive\n  __dict['word'] = word\n": _32.__code__,
    "def __init__(self, port, what, where, instruction=_d_instruction):\n  __dict = self.__dict__\n  __dict['port'] = port\n  __dict['what'] = what\n  __dict['where'] = where\n  __dict['instruction'] = instruction\n": _33.__code__,
    "def __init__(self, raw, value, start, end):\n  __dict = self.__dict__\n  __dict['raw'] = raw\n  __dict['value'] = value\n  __dict['start'] = start\n  __dict['end'] = end\n": _34.__code__,
    "def __init__(self, raw, value, start, end, line):\n  __dict = self.__dict__\n  __dict['raw'] = raw\n  __dict['value'] = value\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['line'] = line\n": _35.__code__,
    "def __init__(self, reason, file=_d_file, line=_d_line):\n  __dict = self.__dict__\n  __dict['reason'] = reason\n  __dict['file'] = file\n  __dict['line'] = line\n": _36.__code__,
    "def __init__(self, root, context, conf_dir, files, includes, unresolved=_d_unresolved, opaque=_MISSING):\n  __dict = self.__dict__\n  __dict['root'] = root\n  __dict['context'] = context\n  __dict['conf_dir'] = conf_dir\n  __dict['files'] = files\n  __dict['includes'] = includes\n  __dict['unresolved'] = unresolved\n  if opaque is _MISSING: opaque = _f_opaque()\n  __dict['opaque'] = opaque\n": _37.__code__,
    'def __init__(self, runtime, roots=_MISSING, copies=_MISSING, env=_MISSING, entrypoint=_d_entrypoint, cmd=_d_cmd, stages=_MISSING, copy_stage=_d_copy_stage, program=_d_program, command=_d_command, provided=_d_provided, source_check=_d_source_check, command_ports=_d_command_ports, files=_MISSING, expose=_d_expose, ports=_MISSING, writes=_d_writes):\n  self.runtime = runtime\n  if roots is _MISSING: roots = _f_roots()\n  self.roots = roots\n  if copies is _MISSING: copies = _f_copies()\n  self.copies = copies\n  if env is _MISSING: env = _f_env()\n  self.env = env\n  self.entrypoint = entrypoint\n  self.cmd = cmd\n  if stages is _MISSING: stages = _f_stages()\n  self.stages = stages\n  self.copy_stage = copy_stage\n  self.program = program\n  self.command = command\n  self.provided = provided\n  self.source_check = source_check\n  self.command_ports = command_ports\n  if files is _MISSING: files = _f_files()\n  self.files = files\n  self.expose = expose\n  if ports is _MISSING: ports = _f_ports()\n  self.ports = ports\n  self.writes = writes\n': _38.__code__,
    'def __init__(self, seen=_MISSING, http=_d_http):\n  if seen is _MISSING: seen = _f_seen()\n  self.seen = seen\n  self.http = http\n': _39.__code__,
    "def __init__(self, select=_d_select, ignore=_d_ignore, severity=_MISSING, failure_threshold=_d_failure_threshold, unsafe_fixes=_d_unsafe_fixes, trusted_registries=_d_trusted_registries, images=_d_images, pins=_MISSING, build_target=_d_build_target, path=_d_path):\n  __dict = self.__dict__\n  __dict['select'] = select\n  __dict['ignore'] = ignore\n  if severity is _MISSING: severity = _f_severity()\n  __dict['severity'] = severity\n  __dict['failure_threshold'] = failure_threshold\n  __dict['unsafe_fixes'] = unsafe_fixes\n  __dict['trusted_registries'] = trusted_registries\n  __dict['images'] = images\n  if pins is _MISSING: pins = _f_pins()\n  __dict['pins'] = pins\n  __dict['build_target'] = build_target\n  __dict['path'] = path\n": _40.__code__,
    'def __init__(self, source, applied=_MISSING, remaining=_MISSING, reverted=_MISSING, passes=_d_passes):\n  self.source = source\n  if applied is _MISSING: applied = _f_applied()\n  self.applied = applied\n  if remaining is _MISSING: remaining = _f_remaining()\n  self.remaining = remaining\n  if reverted is _MISSING: reverted = _f_reverted()\n  self.reverted = reverted\n  self.passes = passes\n': _41.__code__,
    "def __init__(self, source, instructions, stages, directives, escape, global_args, tail, error=_d_error):\n  __dict = self.__dict__\n  __dict['source'] = source\n  __dict['instructions'] = instructions\n  __dict['stages'] = stages\n  __dict['directives'] = directives\n  __dict['escape'] = escape\n  __dict['global_args'] = global_args\n  __dict['tail'] = tail\n  __dict['error'] = error\n": _42.__code__,
    "def __init__(self, start, end, content):\n  __dict = self.__dict__\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['content'] = content\n": _43.__code__,
    "def __init__(self, start, end, next):\n  __dict = self.__dict__\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['next'] = next\n": _44.__code__,
    "def __init__(self, tag, digest, platforms=_d_platforms, resolved_at=_d_resolved_at):\n  __dict = self.__dict__\n  __dict['tag'] = tag\n  __dict['digest'] = digest\n  __dict['platforms'] = platforms\n  __dict['resolved_at'] = resolved_at\n": _45.__code__,
    "def __init__(self, text, exclusion, kind, regex=_d_regex):\n  __dict = self.__dict__\n  __dict['text'] = text\n  __dict['exclusion'] = exclusion\n  __dict['kind'] = kind\n  __dict['regex'] = regex\n": _46.__code__,
    "def __init__(self, text, path=_d_path, bom=_d_bom, lines=_d_lines):\n  __dict = self.__dict__\n  __dict['text'] = text\n  __dict['path'] = path\n  __dict['bom'] = bom\n  __dict['lines'] = lines\n": _47.__code__,
    'def __init__(self, text, pinned=_MISSING, updated=_MISSING, current=_MISSING, missing=_MISSING, stale=_MISSING, skipped=_MISSING, errors=_MISSING, entries=_MISSING):\n  self.text = text\n  if pinned is _MISSING: pinned = _f_pinned()\n  self.pinned = pinned\n  if updated is _MISSING: updated = _f_updated()\n  self.updated = updated\n  if current is _MISSING: current = _f_current()\n  self.current = current\n  if missing is _MISSING: missing = _f_missing()\n  self.missing = missing\n  if stale is _MISSING: stale = _f_stale()\n  self.stale = stale\n  if skipped is _MISSING: skipped = _f_skipped()\n  self.skipped = skipped\n  if errors is _MISSING: errors = _f_errors()\n  self.errors = errors\n  if entries is _MISSING: entries = _f_entries()\n  self.entries = entries\n': _48.__code__,
    "def __init__(self, text, start, end):\n  __dict = self.__dict__\n  __dict['text'] = text\n  __dict['start'] = start\n  __dict['end'] = end\n": _49.__code__,
    "def __init__(self, title, applicability, edits):\n  __dict = self.__dict__\n  __dict['title'] = title\n  __dict['applicability'] = applicability\n  __dict['edits'] = edits\n": _50.__code__,
    "def __init__(self, tool, codes, resolved, unknown, is_global, line, start, end, target):\n  __dict = self.__dict__\n  __dict['tool'] = tool\n  __dict['codes'] = codes\n  __dict['resolved'] = resolved\n  __dict['unknown'] = unknown\n  __dict['is_global'] = is_global\n  __dict['line'] = line\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['target'] = target\n": _51.__code__,
    "def __init__(self, username, secret=_d_secret):\n  __dict = self.__dict__\n  __dict['username'] = username\n  __dict['secret'] = secret\n": _52.__code__,
    "def __init__(self, vars, env, shell, user, workdir=_d_workdir):\n  __dict = self.__dict__\n  __dict['vars'] = vars\n  __dict['env'] = env\n  __dict['shell'] = shell\n  __dict['user'] = user\n  __dict['workdir'] = workdir\n": _53.__code__,
    "def __init__(self, words, assignments, redirects, start, end, op_before, op_after, depth, origin):\n  __dict = self.__dict__\n  __dict['words'] = words\n  __dict['assignments'] = assignments\n  __dict['redirects'] = redirects\n  __dict['start'] = start\n  __dict['end'] = end\n  __dict['op_before'] = op_before\n  __dict['op_after'] = op_after\n  __dict['depth'] = depth\n  __dict['origin'] = origin\n": _54.__code__,
    "def __init__(self, written, value, registry=_d_registry, repository=_d_repository, tag=_d_tag, digest=_d_digest, unresolved=_d_unresolved):\n  __dict = self.__dict__\n  __dict['written'] = written\n  __dict['value'] = value\n  __dict['registry'] = registry\n  __dict['repository'] = repository\n  __dict['tag'] = tag\n  __dict['digest'] = digest\n  __dict['unresolved'] = unresolved\n": _55.__code__,
}
