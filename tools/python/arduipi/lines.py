# SPDX-License-Identifier: MIT
"""One GPIO line of the Nano through the gpiod bindings: the libgpiod v1
API (python3-libgpiod 1.6, Raspberry Pi OS bookworm) or the v2 API
(python3-libgpiod 2.x, trixie), whichever is installed.

A line is requested with its whole configuration at once, and requested
again to change it (the v1 API cannot change edge detection in place);
an output keeps its level across that (the driver holds it).
"""
import gpiod

V2 = hasattr(gpiod, "request_lines")

if V2:
    from gpiod.line import Bias, Direction, Edge, Value

    _EDGE = {None: Edge.NONE, "both": Edge.BOTH, "rising": Edge.RISING,
             "falling": Edge.FALLING}
else:
    _EDGE = {None: gpiod.LINE_REQ_DIR_IN,
             "both": gpiod.LINE_REQ_EV_BOTH_EDGES,
             "rising": gpiod.LINE_REQ_EV_RISING_EDGE,
             "falling": gpiod.LINE_REQ_EV_FALLING_EDGE}


class Line:
    """Line offset of the GPIO chip at path, requested as consumer."""

    def __init__(self, path, offset, consumer):
        self.path = path
        self.offset = offset
        self.consumer = consumer
        self._req = None
        self._chip = None

    def request(self, output=False, value=0, pull_up=False, edges=None,
                as_is=False):
        """(Re)request: an output at value, or an input, pulled up or not,
        with edge events (None, "both", "rising", "falling"); or as_is,
        as the line is."""
        self.release()
        if V2:
            if as_is:
                s = gpiod.LineSettings(direction=Direction.AS_IS)
            elif output:
                s = gpiod.LineSettings(
                    direction=Direction.OUTPUT,
                    output_value=Value.ACTIVE if value else Value.INACTIVE)
            else:
                s = gpiod.LineSettings(
                    direction=Direction.INPUT,
                    bias=Bias.PULL_UP if pull_up else Bias.DISABLED,
                    edge_detection=_EDGE[edges])
            self._req = gpiod.request_lines(
                self.path, consumer=self.consumer, config={self.offset: s})
        else:
            self._chip = gpiod.Chip(self.path)
            line = self._chip.get_line(self.offset)
            if as_is:
                line.request(consumer=self.consumer,
                             type=gpiod.LINE_REQ_DIR_AS_IS)
            elif output:
                line.request(consumer=self.consumer,
                             type=gpiod.LINE_REQ_DIR_OUT,
                             default_val=1 if value else 0)
            else:
                line.request(consumer=self.consumer, type=_EDGE[edges],
                             flags=gpiod.LINE_REQ_FLAG_BIAS_PULL_UP if pull_up
                             else gpiod.LINE_REQ_FLAG_BIAS_DISABLE)
            self._req = line

    def release(self):
        if self._req is not None:
            self._req.release()
            self._req = None
        if self._chip is not None:
            self._chip.close()
            self._chip = None

    def user(self):
        """Who has the line: None (free), its consumer, or "" (a line the
        driver does not offer, or a user without a name)."""
        if V2:
            with gpiod.Chip(self.path) as chip:
                info = chip.get_line_info(self.offset)
                return (info.consumer or "") if info.used else None
        chip = gpiod.Chip(self.path)
        try:
            line = chip.get_line(self.offset)
            return (line.consumer() or "") if line.is_used() else None
        finally:
            chip.close()

    def is_output(self):
        """The line's direction as gpiolib has it."""
        if V2:
            with gpiod.Chip(self.path) as chip:
                return (chip.get_line_info(self.offset).direction ==
                        Direction.OUTPUT)
        return self._req.direction() == gpiod.Line.DIRECTION_OUTPUT

    def get(self):
        if V2:
            return 1 if self._req.get_value(self.offset) == Value.ACTIVE else 0
        return self._req.get_value()

    def set(self, value):
        if V2:
            self._req.set_value(self.offset,
                                Value.ACTIVE if value else Value.INACTIVE)
        else:
            self._req.set_value(1 if value else 0)

    def fileno(self):
        """The file to poll for edge events."""
        return self._req.fd if V2 else self._req.event_get_fd()

    def events(self):
        """The edge events waiting: [(rising, timestamp_ns)], oldest first."""
        if V2:
            rise = gpiod.EdgeEvent.Type.RISING_EDGE
            return [(e.event_type == rise, e.timestamp_ns)
                    for e in self._req.read_edge_events()]
        return [(e.type == gpiod.LineEvent.RISING_EDGE,
                 e.sec * 1000000000 + e.nsec)
                for e in self._req.event_read_multiple()]
