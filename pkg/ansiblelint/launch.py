# Runs ansible-lint as its own script does, with the two Ansible commands
# ansible-compat runs one after the other at start-up (ansible-config dump,
# ansible --version; some 0.3 s each) started at once, beside the import of
# ansible-lint, and their output handed to ansible-compat when it asks.
# Only for the ansible-compat it was proven on (tests compare the output
# with the script's); with any other, or on any surprise, nothing changes.
import os
import subprocess
import sys


def prefetch():
    # The environment ansible-compat would give them: ansible-lint sets
    # ANSIBLE_DEVEL_WARNING before it makes its runtime, and the config
    # dump turns colour off.
    env = dict(os.environ)
    env.setdefault("ANSIBLE_DEVEL_WARNING", "false")
    env["ANSIBLE_FORCE_COLOR"] = "0"
    try:
        from importlib.metadata import version

        if not version("ansible-compat").startswith("3.0."):
            return
        dump = subprocess.Popen(["ansible-config", "dump"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, env=env)
        ver = subprocess.Popen(["ansible", "--version"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, env=env)
        import ansible_compat.config as config
        import ansible_compat.runtime as runtime
    except Exception:
        return
    pending = {"dump": dump, "version": ver}

    def take(name):
        # A command's output, once, when it succeeded; else None, and
        # ansible-compat runs the command itself (and fails as it would).
        # What the config dump says on stderr is said then, as it would be
        # (ansible-compat leaves it to ansible-lint's stderr).
        p = pending.pop(name, None)
        if p is None:
            return None
        out, err = p.communicate()
        if p.returncode != 0:
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
            out = take("version")
            if out is not None:
                self._version = config.parse_ansible_version(out)
        return asked.fget(self)

    runtime.Runtime.version = property(version_)


# Run as: python launch.py /path/to/ansible-lint ARGS...; ansible-lint sees
# the argv its script would.
sys.argv = sys.argv[1:]
prefetch()
try:
    from ansiblelint.__main__ import _run_cli_entrypoint
except ImportError:
    # An ansible-lint whose script runs something else: the script.
    os.execv(sys.argv[0], sys.argv)
sys.exit(_run_cli_entrypoint())
