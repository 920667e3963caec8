"""Inventories for ``herodo --hosts``: which hosts a playbook runs on, each with its engine address.

Two spellings, checked whole before anything runs:

- a file, one host a line: ``NAME ADDRESS [ENGINE]`` separated by spaces or tabs; ``#`` starts a comment
  (at the start of a line or after a space); blank lines are skipped::

      # name    address                                   engine
      web1      ssh://root@10.0.0.11                      docker
      web2      tcp://10.0.0.12:2376
      db1       ssh://core@10.0.0.13/run/podman/podman.sock  podman
      k8s-n1    /run/containerd/containerd.sock           nerdctl

- a comma-separated list on the command line, ``NAME=[ENGINE+]ADDRESS`` items:
  ``web1=ssh://root@10.0.0.11,db1=podman+ssh://core@10.0.0.13/run/podman/podman.sock``.

``--hosts X`` reads the file X when it exists; otherwise X must be such a list (it holds ``=``).

NAME: letters, digits, ``.``, ``_``, ``-``, starting with a letter or a digit, at most 64 characters (it
prefixes every output line). ADDRESS: ``unix:///path``, ``tcp://host:port``, ``ssh://[user@]host[:port][/socket]``
(docker and podman), or an absolute socket path (nerdctl's containerd address). ENGINE: ``docker``,
``podman``, ``nerdctl`` or an absolute path to one of them; without it, the engine is chosen as for one host
(``--engine``, ``HERODO_ENGINE``, the first on PATH).
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit

ENGINE_NAMES = ("nerdctl", "docker", "podman")
MAX_NAME = 64
NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME - 1}}}")
NAME_FORM = f"letters, digits, '.', '_' or '-', starting with a letter or a digit, at most {MAX_NAME} characters"
ADDRESS_FORM = ("unix:///PATH, tcp://HOST:PORT, ssh://[USER@]HOST[:PORT][/SOCKET] "
                "or an absolute socket path (nerdctl)")
ENGINE_FORM = "docker, podman, nerdctl or an absolute path to one of them"
LINE_FORM = "NAME ADDRESS [ENGINE], e.g. 'web1 ssh://root@10.0.0.11 docker'"
ITEM_FORM = "NAME=[ENGINE+]ADDRESS, e.g. 'web1=ssh://root@10.0.0.11' or 'db1=podman+unix:///run/podman/podman.sock'"
# Which address forms each engine's own transport takes (docker --host, podman --url, nerdctl --address).
SCHEMES = {"docker": ("unix", "tcp", "ssh"), "podman": ("unix", "tcp", "ssh"), "nerdctl": ("unix", "path")}


class Host(NamedTuple):
    """One inventory entry. ``engine`` is ``None`` when the inventory names none."""

    name: str
    address: str
    engine: str | None = None


class InventoryError(ValueError):
    """A bad inventory: where (``source``, ``line``), the text, the field, and the expected form."""

    def __init__(self, source: str, line: int | None, text: str, problem: str, expected: str,
                 hint: str | None = None) -> None:
        self.source, self.line, self.text, self.problem, self.expected = source, line, text, problem, expected
        self.hint = hint
        where = f"{source}:{line}" if line is not None else source
        shown = f" in {text!r}" if text else ""
        super().__init__(f"{where}: {problem}{shown} (expected {expected})")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text if ch not in " \t")


def engine_kind(engine: str) -> str | None:
    """``docker`` for ``docker`` or ``/usr/bin/docker``; ``None`` for another executable's name."""
    base = os.path.basename(engine)
    return base if base in ENGINE_NAMES else None


def check_name(name: str) -> str | None:
    """The problem with a host name, or ``None``."""
    if not NAME.fullmatch(name):
        return f"invalid host name {name!r}"
    return None


def check_engine(engine: str) -> str | None:
    if engine in ENGINE_NAMES or (os.path.isabs(engine) and engine_kind(engine) is not None):
        return None
    if os.path.isabs(engine):
        return f"engine path {engine!r} is not named docker, podman or nerdctl"
    return f"unknown engine {engine!r}"


def address_scheme(address: str) -> str | None:
    """``unix``, ``tcp``, ``ssh`` or ``path`` for a well-formed address, else ``None``."""
    if address.startswith("/"):
        return "path"
    try:
        parts = urlsplit(address)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        return None
    if parts.query or parts.fragment:
        return None
    if parts.scheme == "unix":
        return "unix" if not parts.netloc and parts.path.startswith("/") else None
    if parts.scheme == "tcp":
        return "tcp" if parts.hostname and port is not None and parts.path in ("", "/") else None
    if parts.scheme == "ssh":
        return "ssh" if parts.hostname and not parts.password else None
    return None


def check_address(address: str, engine: str | None) -> str | None:
    scheme = address_scheme(address)
    if scheme is None:
        return f"invalid engine address {address!r}"
    kind = engine_kind(engine) if engine else None
    if kind and scheme not in SCHEMES[kind]:
        return f"{kind} does not take {describe_scheme(scheme)} ({address!r})"
    return None


def describe_scheme(scheme: str) -> str:
    return "a socket path" if scheme == "path" else f"{'an' if scheme == 'ssh' else 'a'} {scheme}:// address"


def address_form(engine: str | None) -> str:
    """The address forms ``engine``'s own transport takes (all of them when the engine is not named)."""
    kind = engine_kind(engine) if engine else None
    if kind is None:
        return ADDRESS_FORM
    return f"for {kind}: " + " or ".join(describe_scheme(s) for s in SCHEMES[kind])


def make_host(name: str, address: str, engine: str | None, source: str, line: int | None, text: str,
              expected: str) -> Host:
    """A checked :class:`Host`, or an :class:`InventoryError` naming the first bad field."""
    if (problem := check_name(name)) is not None:
        raise InventoryError(source, line, text, problem, f"a host name of {NAME_FORM}")
    if engine is not None and (problem := check_engine(engine)) is not None:
        raise InventoryError(source, line, text, problem, ENGINE_FORM)
    if (problem := check_address(address, engine)) is not None:
        hint = "nerdctl reaches containerd through a local socket only; use docker or podman for remote hosts" \
            if engine and engine_kind(engine) == "nerdctl" else None
        raise InventoryError(source, line, text, problem, address_form(engine), hint)
    return Host(name, address, engine)


def strip_comment(line: str) -> str:
    """The line without its ``#`` comment (one at the start, or after a space or a tab)."""
    match = re.search(r"(?:^|[ \t])#", line)
    return line[: match.start()] if match else line


def parse_file_text(text: str, source: str) -> list[Host]:
    """Hosts of an inventory file's text (``source`` names it in errors)."""
    hosts: list[Host] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if has_control_characters(raw):
            raise InventoryError(source, number, raw, "control character in a host line", LINE_FORM)
        fields = strip_comment(raw).split()
        if not fields:
            continue
        if len(fields) not in (2, 3):
            raise InventoryError(source, number, raw.strip(), f"{len(fields)} fields", LINE_FORM)
        name, address, engine = fields[0], fields[1], (fields[2] if len(fields) == 3 else None)
        add_host(hosts, make_host(name, address, engine, source, number, raw.strip(), LINE_FORM), source, number)
    return nonempty(hosts, source)


def parse_list(text: str, source: str = "--hosts") -> list[Host]:
    """Hosts of a command-line list ``NAME=[ENGINE+]ADDRESS,...``."""
    if has_control_characters(text):
        raise InventoryError(source, None, text, "control character in the host list", ITEM_FORM)
    hosts: list[Host] = []
    for number, item in enumerate(text.split(","), start=1):
        item = item.strip()
        name, sep, value = item.partition("=")
        if not item or not sep or not value or any(ch.isspace() for ch in item):
            raise InventoryError(source, None, item, f"host {number} of the list is not NAME=ADDRESS", ITEM_FORM)
        engine, plus, rest = value.partition("+")
        if plus and engine in ENGINE_NAMES:
            value = rest
        else:
            engine = None
        add_host(hosts, make_host(name, value, engine, source, None, item, ITEM_FORM), source, None)
    return nonempty(hosts, source)


def add_host(hosts: list[Host], host: Host, source: str, line: int | None) -> None:
    """Append ``host``, refusing a name already listed (names prefix the output and must tell hosts apart)."""
    if any(other.name == host.name for other in hosts):
        raise InventoryError(source, line, host.name, f"host {host.name!r} is listed twice", "each host name once",
                             hint="give each host its own name: it prefixes that host's output")
    hosts.append(host)


def nonempty(hosts: list[Host], source: str) -> list[Host]:
    if not hosts:
        raise InventoryError(source, None, "", "no hosts", f"at least one line {LINE_FORM}")
    return hosts


def load_inventory(spec: str) -> list[Host]:
    """The hosts of ``--hosts SPEC``: a file when one exists at SPEC, else a ``NAME=ADDRESS,...`` list."""
    if os.path.isfile(spec):
        try:
            with open(spec, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise InventoryError(spec, None, "", f"cannot read the inventory: {reason}",
                                 "a readable text file") from None
        return parse_file_text(text, spec)
    if "=" in spec:
        return parse_list(spec)
    raise InventoryError(spec, None, "", "no such inventory file",
                         f"a file of lines {LINE_FORM}, or a list {ITEM_FORM}")
