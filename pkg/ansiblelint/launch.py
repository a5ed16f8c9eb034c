# Runs ansible-lint as its own script does, with the two Ansible commands
# ansible-compat runs one after the other at start-up (ansible-config dump,
# ansible --version; some 0.3 s each) started at once, beside the import of
# ansible-lint, and their output handed to ansible-compat when it asks;
# when the ansible command provably says the version of the ansible.release
# ansible-lint imports, that version, without the command (cli_is_ours).
# Given playbooks (--syntax-check PATH before the binary), their syntax
# checks start as soon as the config dump says what environment
# ansible-compat will give them, still beside the import; ansible-lint gets
# one's output only when it runs that very command, in that environment and
# directory, offline and with nothing mocked (mocks and installs change
# what the check reads), else it runs the check itself.
# Only for the ansible-compat and ansible-lint it was proven on (tests
# compare the output with the script's); with any other, or on any
# surprise, nothing changes.
import os
import re
import subprocess
import sys
import threading

# Where to say which early syntax checks were used, for the tests; taken
# out of the environment before anything copies it.
TRACE = os.environ.pop("PLUMBLINE_LAUNCH_TRACE", "")
# Where to write the versions of ansible-lint and ansible-core, for the
# report; taken out of the environment likewise.
VERSIONS = os.environ.pop("PLUMBLINE_LAUNCH_VERSIONS", "")


def note(line):
    if TRACE:
        with open(TRACE, "a") as f:
            f.write(line + "\n")


class Pending:
    # One command started early: its output, read by a thread of its own,
    # once it ends.
    def __init__(self, cmd, env, stdin=False):
        self.env, self.cwd = env, os.getcwd()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else None,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True, env=env)
        if stdin:
            # As subprocess.run closes it: the command reads nothing.
            self.p.stdin.close()
            self.p.stdin = None
        self.done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            self.out, self.err = self.p.communicate()
        except Exception:
            self.out = self.err = None
        self.done.set()

    def result(self):
        self.done.wait()
        return self.p.returncode, self.out, self.err

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.done.wait()


def paths_env(base, cfg, cache_dir, collections_var):
    # The environment ansible-compat 3.0's Runtime gives the commands it
    # runs (Runtime.__init__, then prepare_environment's
    # _prepare_ansible_paths and _update_env, isolated), written out here
    # because its own methods log; a mistake here costs only the head
    # start, as the environment must be equal to be used.
    env = dict(base)
    if "PYTHONWARNINGS" not in env:
        env["PYTHONWARNINGS"] = "ignore:Blowfish has been deprecated"
    library, roles, collections = (list(cfg.default_module_path), list(cfg.default_roles_path),
                                   list(cfg.collections_paths))
    for paths, path, present in [(library, "plugins/modules", True), (roles, "roles", True),
                                 (roles, cache_dir + "/roles", False),
                                 (library, cache_dir + "/modules", False),
                                 (collections, cache_dir + "/collections", False)]:
        if not os.path.exists(path):
            if present:
                continue
            os.makedirs(path, exist_ok=True)
        if path not in paths:
            paths.insert(0, path)

    def update(name, value):
        if not value:
            return
        old = env.get(name, "")
        if old:
            value = [*value, *old.split(":")]
        env[name] = ":".join(value)

    if library != cfg.DEFAULT_MODULE_PATH:
        update("ANSIBLE_LIBRARY", library)
    if collections != cfg.collections_paths:
        update(collections_var, collections)
    if roles != cfg.default_roles_path:
        update("ANSIBLE_ROLES_PATH", roles)
    return env


def cli_is_ours():
    # ansible --version (0.25 s of CPU, as much as a syntax check: where
    # the step shares the CPU, as in a pod, 0.4 s of its time) prints the
    # version of the ansible.release its interpreter imports. When the
    # ansible command ansible-compat would run is the console script
    # ansible-core installs, run by this very interpreter with no option,
    # with nothing beside it Python would import as ansible, that is the
    # ansible.release ansible-lint imports here (and ansible-compat then
    # compares with itself, require_module).
    try:
        import shutil

        path = shutil.which("ansible", path=os.environ.get("PATH", os.defpath))
        if not path:
            return False
        with open(path, "rb") as f:
            text = f.read(4096).decode("utf-8", "replace")
        first, _, rest = text.partition("\n")
        interp = first[2:].split() if first.startswith("#!") else []
        if len(interp) != 1 or os.path.realpath(interp[0]) != os.path.realpath(sys.executable):
            return False
        if "from ansible.cli.adhoc import main" not in rest:
            return False
        if sys.flags.isolated or sys.flags.ignore_environment or sys.flags.no_user_site:
            return False
        here = os.path.dirname(os.path.realpath(path))
        return not any(n.split(".")[0] == "ansible" and n != "ansible" for n in os.listdir(here))
    except Exception:
        return False


def prefetch(playbooks):
    # The environment ansible-compat would give them: ansible-lint sets
    # ANSIBLE_DEVEL_WARNING before it makes its runtime, and the config
    # dump turns colour off.
    base = dict(os.environ)
    base.setdefault("ANSIBLE_DEVEL_WARNING", "false")
    env = dict(base)
    env["ANSIBLE_FORCE_COLOR"] = "0"
    # Started before the versions are looked up (some 30 ms), and stopped
    # if they are not the ones proven.
    spawned = []
    try:
        ours = cli_is_ours()
        spawned.append(Pending(["ansible-config", "dump"], env))
        pending = {"dump": spawned[0]}
        if not ours:
            spawned.append(Pending(["ansible", "--version"], env))
            pending["version"] = spawned[1]
        from importlib.metadata import version

        if not version("ansible-compat").startswith("3.0."):
            raise ValueError("ansible-compat")
        early = playbooks and version("ansible-lint").startswith("6.13.")
        import ansible_compat.config as config
        import ansible_compat.runtime as runtime
        from ansible_compat.prerun import get_cache_dir
    except Exception:
        for p in spawned:
            p.stop()
        return
    lock = threading.Lock()

    def cli_version():
        # What ansible --version would say first, when the ansible command
        # is ours (cli_is_ours) and the config dump showed the
        # configuration loads (ansible --version loads it too, and fails
        # where it does not): the version of ansible.release, which
        # ansible-lint has imported by now. Else None, and ansible-compat
        # runs the command.
        with lock:
            dump = pending.get("dump")
        if dump is not None:
            code, out, _ = dump.result()
            if code != 0 or out is None:
                return None
        try:
            import ansible.release

            note("ansible --version: ansible.release " + ansible.release.__version__)
            return "ansible [core %s]\n" % ansible.release.__version__
        except Exception:
            return None

    def take(name):
        # A command's output, once, when it succeeded; else None, and
        # ansible-compat runs the command itself (and fails as it would).
        # What the config dump says on stderr is said then, as it would be
        # (ansible-compat leaves it to ansible-lint's stderr).
        with lock:
            p = pending.pop(name, None)
        if p is None:
            return None
        code, out, err = p.result()
        if code != 0 or out is None:
            return None
        if name == "dump" and err:
            sys.stderr.write(err)
            sys.stderr.flush()
        return out

    init = config.AnsibleConfig.__init__

    def config_init(self, config_dump=None, data=None):
        if config_dump is None and not data:
            config_dump = take("dump")
        init(self, config_dump=config_dump, data=data)

    config.AnsibleConfig.__init__ = config_init
    asked = runtime.Runtime.version

    def version_(self):
        if self._version is None:
            out = cli_version() if ours else take("version")
            if out is not None:
                self._version = config.parse_ansible_version(out)
        return asked.fget(self)

    runtime.Runtime.version = property(version_)
    if not early:
        return
    checks = {}
    started = threading.Event()
    stopping = []

    def settings():
        # The three settings the environment needs, from the config dump
        # as ansible-compat reads it. (A probe of ansible.constants would
        # have them 0.2 s sooner, but costs 0.1 s of CPU: a loss where the
        # step shares the CPU, as in a pod.)
        with lock:
            dump = pending.get("dump")
        if dump is None:
            return None
        code, out, _ = dump.result()
        if code != 0 or out is None:
            return None
        # Only the lines of those three, for ansible-compat to parse: its
        # literal_eval of every setting, here in a thread, would say a
        # SyntaxWarning that its own parse, in ansible-lint's, keeps quiet
        # (DEFAULT_LOCAL_TMP's random name can read as a number before a
        # keyword: "ansible-local-123in…").
        needed = ("DEFAULT_MODULE_PATH", "DEFAULT_ROLES_PATH", "COLLECTIONS_PATHS")
        lines = [line for line in out.splitlines()
                 if (re.match(r"[A-Za-z0-9_]+", line) or [None])[0] in needed]
        if len(lines) != len(needed):
            return None  # (none at all would make ansible-compat run the dump)
        return config.AnsibleConfig(config_dump="\n".join(lines) + "\n")

    def start_checks():
        # ansible-lint's thread pool runs as many at once as there are
        # CPUs: no more are started early.
        try:
            cfg = settings()
            if cfg is None:
                return
            cwd = os.getcwd()
            check_env = paths_env(base, cfg, get_cache_dir(cwd), config.ansible_collections_path())
            check_env["PYTHONWARNINGS"] = "ignore"
            for book in playbooks[:os.cpu_count() or 1]:
                cmd = ["ansible-playbook", "-i", "localhost,", "--syntax-check", book]
                with lock:
                    if stopping:
                        return
                    checks[tuple(cmd)] = Pending(cmd, check_env, stdin=True)
        except Exception:
            pass
        finally:
            started.set()

    threading.Thread(target=start_checks, daemon=True).start()

    def stop_all():
        # At exit: the ones ansible-lint never asked for are stopped, and
        # none is started after.
        with lock:
            stopping.append(True)
            left = list(checks.values())
            checks.clear()
        for p in left:
            p.stop()

    import atexit

    atexit.register(stop_all)
    return checks, started, lock


def say_versions():
    # From the package metadata prefetch has read already: the check then
    # starts no Python of its own to ask (0.1-0.2 s of CPU, where the step's
    # CPU is shared with ansible-lint's). Nothing written, it asks.
    if not VERSIONS:
        return
    try:
        from importlib.metadata import version

        text = "%s %s\n" % (version("ansible-lint"), version("ansible-core"))
        with open(VERSIONS, "w") as f:
            f.write(text)
    except Exception:
        pass


def hand_over(early):
    # ansible-lint's syntax check gets an early one's output when it runs
    # the same command where and as that one ran, and nothing it does
    # before (mocks, installs) can have changed what the check reads.
    checks, started, lock = early
    try:
        import ansiblelint.rules.syntax_check as syntax
        from ansiblelint.config import options
    except Exception:
        return
    real = subprocess.run
    expected = {"stdin": subprocess.PIPE, "capture_output": True, "shell": False, "text": True,
                "check": False}

    def run(cmd, **kwargs):
        started.wait()
        with lock:
            p = checks.pop(tuple(cmd), None) if isinstance(cmd, list) else None
        if p is not None:
            same = (p.env == kwargs.get("env") and p.cwd == os.getcwd()
                    and {k: v for k, v in kwargs.items() if k != "env"} == expected
                    and options.offline and not options.mock_modules and not options.mock_roles)
            code, out, err = p.result() if same else (None, None, None)
            if same and code is not None and out is not None:
                note("used " + " ".join(cmd))
                return subprocess.CompletedProcess(cmd, code, out, err)
            note("not used " + " ".join(cmd))
            p.stop()
        return real(cmd, **kwargs)

    class Subprocess:
        # The syntax check module's subprocess, with run above.
        def __getattr__(self, name):
            return run if name == "run" else getattr(subprocess, name)

    syntax.subprocess = Subprocess()


# Run as: python launch.py [--syntax-check PLAYBOOK]... /path/to/ansible-lint
# ARGS...; ansible-lint sees the argv its script would.
books = []
while len(sys.argv) > 2 and sys.argv[1] == "--syntax-check":
    books.append(sys.argv[2])
    del sys.argv[1:3]
sys.argv = sys.argv[1:]
early = prefetch(books)
say_versions()
try:
    from ansiblelint.__main__ import _run_cli_entrypoint
except ImportError:
    # An ansible-lint whose script runs something else: the script.
    os.execv(sys.argv[0], sys.argv)
if early:
    hand_over(early)
sys.exit(_run_cli_entrypoint())
