#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The simulated figures the documents quote are the firmware's (TAP).

Runs figures.sh (the real firmware of both builds in nanosim, in
lockstep: the same firmware always gives the same figures) and checks
that each document quotes what it measures, word for word as written
there (whitespace folded). A firmware change that moves a figure fails
here until the document is re-measured: figures.sh prints the new ones.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
# hold_by_status's codes as firmware.rst's full-load table names them
STATUS = {"00": "a bus error", "60": "SLA+W", "80": "a received byte",
          "88": "a NACKed byte",
          "a0": "a STOP or repeated START", "a8": "SLA+R",
          "b8": "a sent byte", "c0": "the last sent byte"}
PATHS = ("60", "80", "88", "a0", "a8", "b8", "c0")


def doc(name):
    with open(os.path.join(TOP, "Documentation", name),
              encoding="utf-8") as f:
        return " ".join(f.read().split())


class Figures:
    """figures.sh's output, searched line by line."""

    def __init__(self, text):
        self.text = text

    def get(self, what, *pattern):
        m = re.search("".join(pattern), self.text, re.M)
        if not m:
            raise LookupError("figures.sh printed no " + what)
        return m.groups()

    def one(self, what, *pattern):
        return self.get(what, *pattern)[0]


def paths(s):
    return dict(kv.split(":") for kv in s.split(","))


def twint_hold(fig):
    out, hold = [], {}
    for mhz in ("16", "8"):
        h100, w400, r400 = fig.get(
            "twint_hold's summary, %s MHz" % mhz,
            r"^  %s MHz: TWINT hold worst case, " % mhz,
            r".*: (\d+) cycles at 100 kHz",
            r".*at 400 kHz (\d+) cycles for writes, (\d+) cycles with reads")
        hold[mhz] = paths(fig.one(
            "twint_hold's paths, %s MHz" % mhz,
            r"^  %s MHz: 100000 Hz, all kinds: .* by status (\S+)," % mhz))
        out += ["%s MHz 100 kHz everything **%s cycles**" % (mhz, h100),
                "%s MHz 400 kHz writes %s cycles" % (mhz, w400),
                "%s MHz 400 kHz everything %s cycles" % (mhz, r400)]
    h, e = hold["16"], hold["8"]
    out.append("SLA+W %s, a received byte %s, a NACKed byte %s, STOP or "
               "repeated START %s, SLA+R %s, a sent byte %s, the last sent "
               "byte %s (8 MHz: %s)"
               % (tuple(h[k] for k in PATHS) +
                  (", ".join(e[k] for k in PATHS),)))
    p = paths(fig.one("twint_hold's paths at 400 kHz",
                      r"^  16 MHz: 400000 Hz, all kinds: hold max \d+ ",
                      r"\(\w+\), .*by status (\S+), \d+ corrupted"))
    out += ["SLA+W %s, a received byte %s, STOP or repeated START %s, "
            "SLA+R %s (the first byte" % (p["60"], p["80"], p["a0"], p["a8"]),
            "a sent byte %s, the last %s." % (p["b8"], p["c0"])]
    return [("firmware.rst", t) for t in out]


def pi_masters(fig):
    bcm = r"^  %s MHz: bcm2711, "
    c16, b16, r16 = fig.get(
        "pi_masters at 16 MHz", bcm % 16, r"400 kHz, all kinds: .*; ",
        r"(\d+) of 380 transactions corrupted \((\d+) bits .*, (\d+) runt")
    c8, b8, r8, m8 = fig.get(
        "pi_masters at 8 MHz", bcm % 8, r"400 kHz, all kinds: .*; ",
        r"(\d+) of 380 transactions corrupted \((\d+) bits .*, ",
        r"(\d+) runt clocks, (\d+) conditions")
    ping = fig.get("pi_masters' PING", bcm % 16, r"PING read held .*: ",
                   r"(\d+) of 320 right, (\d+) with bit 7 .*; runts (\d+)")
    wr = fig.get("pi_masters' write", bcm % 16, r"a write held .*: ",
                 r"(\d+) of 320 went through; runts (\d+), corrupted (\d+)")
    sr = fig.one("pi_masters' repeated START", bcm % 16,
                 r"held before a repeated START: \d+ of 320 right, ",
                 r"(\d+) read 0xff")
    return [("firmware.rst", "16 MHz 400 kHz %s corrupted: %s bits read "
             "during a hold (mostly a read's first), %s runt clocks"
             % (c16, b16, r16)),
            ("firmware.rst", "8 MHz 400 kHz %s corrupted: %s bits read "
             "during a hold, %s runt clocks, %s STOPs" % (c8, b8, r8, m8)),
            ("simulator.rst", "At 400 kHz: %s of 380 corrupted (8 MHz: %s)"
             % (c16, c8)),
            ("simulator.rst", "%s of 320 right, %s with bit 7 read as 1, "
             "%s runt clocks" % ping),
            ("simulator.rst", "%s of 320 went through, %s corrupted after "
             "%s runts" % (wr[0], wr[2], wr[1])),
            ("simulator.rst", "held before the repeated START: %s of 320 "
             "read 0xff" % sr)]


def full_load(fig):
    out, worst = [], {}
    rows = (("16", "100 kHz", "bcm2711, 100000 Hz:"),
            ("8", "100 kHz", "bcm2711, 100000 Hz:"),
            ("8", "100 kHz, no", "bcm2711, 100000 Hz, no capture:"),
            ("16", "400 kHz", "bcm2711, 400000 Hz:"),
            ("8", "400 kHz", "bcm2711, 400000 Hz:"))
    for mhz, bus, key in rows:
        hmax, st, hist, n, by, bad = fig.get(
            "full_load at %s MHz, %s" % (mhz, bus),
            r"^  %s MHz: full load, %s " % (mhz, re.escape(key)),
            r"hold max (\d+) \((\w+)\), histogram (\S+), (\d+) stretches, ",
            r"by status (\S+), (\d+) corrupted")
        worst[mhz, bus] = hmax
        out.append("%s MHz %s %s %s, %s %s of 280"
                   % (mhz, bus, "**0**" if n == "0" else n, hmax, STATUS[st],
                      "**0**" if bad == "0" else bad))
        if mhz == "8" and bus == "100 kHz":
            out.append("``full_load`` at 8 MHz with capture (the table "
                       "above): %s stretch%s, the worst hold %s cycles, and "
                       "%s" % (n, "" if n == "1" else "es", hmax,
                               "no transaction corrupted"
                               if bad == "0" else
                               "%s of 280 transactions corrupted" % bad))

    def summary(what, mhz, hz, pattern):
        """a figure of full_load's summary line (capture on)"""
        return fig.one(what, r"^  %s MHz: full load, %s MHz, %s Hz: .*"
                       % (mhz, mhz, hz), pattern)

    deep8 = summary("full_load's stack, 8 MHz", 8, 100000,
                    r"the stack at most (\d+) bytes deep")
    deep16 = summary("full_load's stack, 16 MHz", 16, 100000,
                     r"the stack at most (\d+) bytes deep")
    full = summary("full_load's ring at 100 kHz", 8, 100000,
                   r"at most (\d+) of its 12 slots full")
    laps = summary("full_load's ring overruns at 400 kHz", 8, 400000,
                   r"the ADC ring overran (\d+) times")
    read, lost = fig.get("adc_overrun", r"^  8 MHz: ADC ring overrun .*: ",
                         r"(\d+) scans read, (\d+) lost, 0 wrong")
    out += ["measured %s (%s on the 16 MHz build)" % (deep8, deep16),
            "(it filled at most %s of them)" % full,
            "longer than 12 conversions (%s there)" % laps,
            "%s scans read, %s lost, none wrong or out of place"
            % (read, lost)]
    off = r"^  %s MHz: %s Hz, capture%s: interrupts off at most (\d+)"
    edges = ", edges caught"
    out += ["``full_load`` measured at most **%s cycles** at 100 kHz "
            "(%s at 400 kHz)"
            % (fig.one("full_load's window", off % (16, 100000, edges)),
               fig.one("full_load's window", off % (16, 400000, edges))),
            "While capture runs it is %s:"
            % fig.one("full_load's window", off % (8, 100000, ""))]
    guide = ("the worst hold at %s CPU cycles against the 80 of the "
             "clock's low half on the Nano, %s against 40 on the Pro Mini"
             % (worst["16", "100 kHz"], worst["8", "100 kHz"]))
    spec = ("the worst hold %s cycles of the master's 80-cycle low time at "
            "16 MHz, %s of 40 at 8 MHz"
            % (worst["16", "100 kHz"], worst["8", "100 kHz"]))
    return [("firmware.rst", t) for t in out] + [
        ("user-guide.rst", guide), ("protocol.rst", spec)]


def edges(fig):
    """edge_rate: the lossless rates, and the shortest pulse caught whole
    with the bus busy (the test asserts 6 us; a build may do better)."""
    best = {}
    for bus, rate in re.findall(r"^  (\d+) kHz bus, (\d+) edges/s: .* 0 "
                                r"counted lost, in order,", fig.text, re.M):
        best[bus] = max(best.get(bus, 0), int(rate))
    pulses = [(int(w), int(n), int(lost)) for w, n, lost in re.findall(
        r"^  (\d+) us pulses, the bus busy .*: (\d+) edges, \d+ events, "
        r"(\d+) counted lost", fig.text, re.M)]
    whole = [w for w, n, lost in pulses if not lost]
    if "100" not in best or "400" not in best or not whole:
        raise LookupError("figures.sh printed no edge_rate rates")
    w = min(whole)
    shorter = [(n, lost) for v, n, lost in pulses if v == w - 1]
    text = "the shortest that came whole there in this build: %d us" % w
    if shorter:
        text += " (%d us ones: %d of %d edges lost, counted)" % (
            (w - 1, shorter[0][1], shorter[0][0]))
    return [("protocol.rst", "without loss and in order up to %d edges/s "
             "at 100 kHz and %d at 400 kHz" % (best["100"], best["400"])),
            ("user-guide.rst", "carries %d edges a second without loss at "
             "100 kHz and %d at 400 kHz" % (best["100"], best["400"])),
            ("protocol.rst", text)]


def integrity(fig):
    """fifo_integrity: firmware.rst's table of the long reads' checks
    (the 16 MHz build's rows, the Pi 4 model's row of each build, and
    the 8 MHz build's faults where its figures differ)."""
    rows = (("bit slips", "a bit slip at each byte"),
            ("2..16 random bits flipped", "2 to 16 different bits flipped"),
            ("bursts of 2..16 bits", "bursts of 2 to 16 bits"),
            ("bursts of 17..64 bits", "bursts of 17 to 64 bits"))
    line = (r"^  %s MHz: %s: (\d+) reads, (\d+) with wrong data, (\d+) of "
            r"them caught \(by the PEC (\d+), by the CRC-16 (\d+), by the "
            r"zero bits (\d+)\)")
    out, diff = [], []
    for key, name in rows:
        f16 = fig.get("fifo_integrity's %s, 16 MHz" % key,
                      line % (16, re.escape(key)))
        f8 = fig.get("fifo_integrity's %s, 8 MHz" % key,
                     line % (8, re.escape(key)))
        if key == "bit slips":
            out.append("%s %s %s %s %s (*) %s %s" % ((name,) + f16))
            slip8 = f8[3]
            f8 = f8[:3] + f16[3:4] + f8[4:]
        else:
            out.append("%s %s %s %s %s %s %s" % ((name,) + f16))
        if f8 != f16:
            diff.append("%s (8 MHz: %s)" % (name, " ".join(f8)))
    pi4 = {}
    for mhz in ("16", "8"):
        pi4[mhz] = fig.get("fifo_integrity's Pi 4 model, %s MHz" % mhz,
                           line % (mhz, re.escape("Pi 4 controller "
                                                  "(bcm2711 model), 400 kHz")))
        out.append("Pi 4 model at 400 kHz, %s MHz %s %s %s %s %s %s"
                   % ((mhz,) + pi4[mhz]))
    last = "" if pi4["8"] == pi4["16"] else " but for the last"
    out.append("(*) %s on the 8 MHz build; its other rows are the same as "
               "the 16 MHz build's%s." % (slip8, last))
    out += ["8 MHz build's row differs: " + d for d in diff]
    return [("firmware.rst", t) for t in out]


def the_rest(fig):
    """Boot, the edge flood, capture with ADC_DIV 1024, capture rates."""
    boot = r"^  %s MHz: boot state: in force ([\d.]+) us"
    us16 = fig.one("boot_state at 16 MHz", boot % 16)
    us8 = fig.one("boot_state at 8 MHz", boot % 8)
    flood = int(fig.one("the edge flood", r"SCL stretched up to (\d+) us"))
    s1024 = fig.get("the ADC_DIV 1024 session",
                    r"^  8 MHz: (\d+) stretches, (\d+) of 80")
    rate = r"^  %s kHz bus, 1 input at %s Hz: "
    got = fig.one("stream_rate at 9615 Hz", rate % (100, "9615.4"),
                  r"(\d+) scans/s")
    lost48, b48 = fig.get("stream_rate at 4807 Hz", rate % (100, "4807.7"),
                          r"\d+ scans/s delivered, (\d+) lost, ",
                          r"([\d.]+) bus bytes")
    lost, b100 = fig.get("stream_rate at 3205 Hz", rate % (100, "3205.1"),
                         r"\d+ scans/s delivered, (\d+) lost, ",
                         r"([\d.]+) bus bytes")
    b400, ns = fig.get("stream_rate at 400 kHz", rate % (400, "9615.4"),
                       r"\d+ scans/s delivered, \d+ lost, ",
                       r"([\d.]+) bus bytes.*at most (\d+) ns")
    if lost != "0":  # adc.rst says without loss
        b100 += " (but %s scans lost)" % lost
    return [("firmware.rst", "**%s us** at 16 MHz, %s us at" % (us16, us8)),
            ("protocol.rst", "%s us after its code starts at 16 MHz" % us16),
            ("pwm.rst", "%s us after the firmware starts" % us16),
            ("protocol.rst", "stretched for %.1f ms" % (flood / 1000)),
            ("firmware.rst", "gave %s stretches and %s of 80 transactions "
             "corrupted" % s1024),
            ("adc.rst", "100 kHz 3205 Hz (9615 Hz delivers %s scans/s; "
             "4807 Hz loses %s scans in 2 s) %s" % (got, lost48, b100)),
            ("adc.rst", "(%s bus bytes a sample): the FIFO gains" % b48),
            ("adc.rst", "400 kHz 9615 Hz, the ADC's own rate %s" % b400),
            ("adc.rst", "(at most %d µs in ``stream_rate``)"
             % -(-int(ns) // 1000))]


def main():
    print("TAP version 13")
    run = subprocess.run([os.path.join(HERE, "figures.sh")],
                         capture_output=True, text=True)
    fig = Figures(run.stdout)
    checks, failed = [], []  # (document, text); what could not be read
    if run.returncode:
        failed.append("figures.sh failed:\n" + run.stderr.strip())
    for group in (twint_hold, pi_masters, full_load, integrity, edges,
                  the_rest):
        try:
            checks += group(fig)
        except LookupError as e:
            failed.append(str(e))
    print("1..%d" % (len(checks) + len(failed)))
    docs, bad, i = {}, 0, 0
    for i, (name, text) in enumerate(checks, 1):
        docs.setdefault(name, doc(name))
        # whole figures: a digit on neither side of the match
        ok = re.search(r"(?<!\d)" + re.escape(text) + r"(?!\d)",
                       docs[name]) is not None
        bad += not ok
        print("%s %d - Documentation/%s: %s"
              % ("ok" if ok else "not ok", i, name, text))
    for i, what in enumerate(failed, i + 1):
        lines = what.splitlines()
        print("not ok %d - %s" % (i, lines[0]))
        for line in lines[1:]:
            print("# " + line)
    if bad or failed:
        print("# re-measure them: tools/testing/fw-sim/figures.sh")
    return 1 if bad or failed else 0


sys.exit(main())
