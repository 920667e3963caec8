"""``herodo test --junit FILE``: the run as JUnit XML (loaded only for ``--junit``)."""

from __future__ import annotations

import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET

from .reporting import FAILED, SKIPPED, RunResult, first_line, render_failure

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def junit_xml(run: RunResult) -> bytes:
    """The run as JUnit XML (the schema CI systems read: testsuites > testsuite per file > testcase)."""
    root = ET.Element("testsuites", name="herodo test")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(run.started))
    for file in run.files:
        counts = {"tests": len(file.tests), "failures": sum(t.status == FAILED for t in file.tests),
                  "errors": int(file.error is not None), "skipped": sum(t.status == SKIPPED for t in file.tests)}
        suite = ET.SubElement(root, "testsuite", name=file.path, timestamp=stamp, time=f"{file.duration:.3f}",
                              hostname="localhost")
        classname = re.sub(r"\.lua$", "", file.path).replace("/", ".").lstrip(".")
        for test in file.tests:
            case = ET.SubElement(suite, "testcase", classname=classname, name=_xml_text(test.name),
                                 time=f"{test.duration:.3f}", file=file.path)
            if test.status == FAILED:
                first = test.failures[0]
                element = ET.SubElement(case, "failure", message=_xml_text(first_line(first)), type=first.title)
                element.text = _xml_text("".join(render_failure(f) for f in test.failures))
            elif test.status == SKIPPED:
                ET.SubElement(case, "skipped", message=_xml_text(test.reason or ""))
            if test.output:
                ET.SubElement(case, "system-out").text = _xml_text(test.output)
        if file.skipped is not None:
            counts["tests"] += 1
            counts["skipped"] += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name="(file)", time="0", file=file.path)
            ET.SubElement(case, "skipped", message=_xml_text(file.skipped))
        if file.error is not None:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name="(file)",
                                 time=f"{file.duration:.3f}", file=file.path)
            element = ET.SubElement(case, "error", message=_xml_text(first_line(file.error)), type=file.error.title)
            element.text = _xml_text(render_failure(file.error))
            if file.output:
                ET.SubElement(case, "system-out").text = _xml_text(file.output)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{run.duration:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(run: RunResult, path: str) -> None:
    """Write :func:`junit_xml` to ``path`` (through a temporary file: never half written)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".junit.", suffix=".xml")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(junit_xml(run))
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


__all__ = ["junit_xml", "write_junit"]
