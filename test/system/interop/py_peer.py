#!/usr/bin/python3
"""Interop harness on the real Python oslo.messaging (Debian python3-oslo.messaging).

Same interface as bin/rpc-peer.ts, so the tests can put either side on either end:
  (every command also takes --config-file F, repeatable)
  serve   --url U --topic T [--server S] [--exchange X] [--control-exchange C] [--version V] [--namespace N]
  call    --url U --topic T --method M [--args JSON] [--server S] [--exchange X] [--version V]
          [--namespace N] [--timeout S] [--call-monitor-timeout S] [--cast] [--fanout] [--context JSON]
plus, for notifications:
  listen  --url U --topic T [--pool P] [--count N] [--timeout S]
  notify  --url U --topic T --event-type E [--payload JSON] [--priority info] [--driver messagingv2]
          [--publisher-id P] [--context JSON]
Output: JSON lines on stdout; logs on stderr.
"""
import argparse
import json
import os
import logging
import signal
import socket
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging

_out_lock = threading.Lock()


def out(obj):
    with _out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def make_conf(args):
    # The global CONF: oslo.messaging registers some groups (metrics) only there.
    conf = cfg.CONF
    # --config-file: [oslo_messaging_rabbit] options (quorum queues...), read by the driver.
    argv = []
    for f in args.config_file or []:
        argv += ["--config-file", f]
    conf(argv, project="py_peer")
    oslo_messaging.set_transport_defaults(args.control_exchange)
    return conf


class Endpoint(object):
    def __init__(self, namespace, version):
        self.target = oslo_messaging.Target(namespace=namespace, version=version)

    def _announce(self, method, ctxt, args):
        out({"event": "dispatch", "method": method, "args": args, "ctxt": ctxt})

    def echo(self, ctxt, value=None):
        self._announce("echo", ctxt, {"value": value})
        return value

    def add(self, ctxt, a, b):
        self._announce("add", ctxt, {"a": a, "b": b})
        return a + b

    def fail(self, ctxt, message=""):
        self._announce("fail", ctxt, {"message": message})
        raise ValueError(message)

    def sleep(self, ctxt, seconds):
        self._announce("sleep", ctxt, {"seconds": seconds})
        time.sleep(seconds)
        return seconds

    def whoami(self, ctxt):
        self._announce("whoami", ctxt, {})
        return ctxt


def serve(args):
    conf = make_conf(args)
    transport = oslo_messaging.get_rpc_transport(conf, url=args.url)
    server_name = args.server or socket.gethostname()
    target = oslo_messaging.Target(topic=args.topic, server=server_name, exchange=args.exchange)
    server = oslo_messaging.get_rpc_server(
        transport, target, [Endpoint(args.namespace, args.version)], executor="threading")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    out({"event": "ready", "topic": args.topic, "server": server_name, "exchange": args.exchange,
         "namespace": args.namespace, "version": args.version})
    while not stop.wait(0.2):
        pass
    server.stop()
    server.wait()
    # transport.cleanup() can wait well over 10 s on its reply poller (quorum queues made it
    # outlast the test's 15 s grace): give it 5 s, then leave; the server itself has stopped.
    closer = threading.Thread(target=transport.cleanup, daemon=True)
    closer.start()
    closer.join(5)
    out({"event": "stopped"})
    sys.stdout.flush()
    os._exit(0)


def call(args):
    conf = make_conf(args)
    transport = oslo_messaging.get_rpc_transport(conf, url=args.url)
    target = oslo_messaging.Target(topic=args.topic, server=args.server, exchange=args.exchange,
                                   version=args.version, namespace=args.namespace,
                                   fanout=bool(args.fanout))
    client = oslo_messaging.get_rpc_client(transport, target, timeout=args.timeout,
                                           call_monitor_timeout=args.call_monitor_timeout)
    kwargs = json.loads(args.args)
    ctxt = json.loads(args.context)
    code = 0
    try:
        if args.cast or args.fanout:
            client.cast(ctxt, args.method, **kwargs)
            out({"ok": True, "result": None})
        else:
            out({"ok": True, "result": client.call(ctxt, args.method, **kwargs)})
    except Exception as e:  # every outcome is reported as a JSON line
        name = type(e).__name__
        remote = (isinstance(e, oslo_messaging.RemoteError) or name.endswith("_Remote")
                  or not isinstance(e, oslo_messaging.MessagingException))
        line = {"ok": False, "error_class": name, "message": str(e), "remote": remote}
        if isinstance(e, oslo_messaging.RemoteError):
            line["exc_type"] = e.exc_type
        out(line)
        code = 1
    # transport.cleanup() waits ~10 s for the reply poller thread; the outcome is already
    # printed and every publish was confirmed, so leave at once.
    sys.stdout.flush()
    os._exit(code)


class NotificationEndpoint(object):
    def __init__(self, seen):
        self.seen = seen

    def _got(self, priority, ctxt, publisher_id, event_type, payload, metadata):
        out({"event": "notification", "priority": priority, "ctxt": ctxt,
             "publisher_id": publisher_id, "event_type": event_type, "payload": payload,
             "metadata": metadata})
        self.seen.release()

    def audit(self, *a):
        self._got("audit", *a)

    def debug(self, *a):
        self._got("debug", *a)

    def info(self, *a):
        self._got("info", *a)

    def warn(self, *a):
        self._got("warn", *a)

    def error(self, *a):
        self._got("error", *a)

    def critical(self, *a):
        self._got("critical", *a)

    def sample(self, *a):
        self._got("sample", *a)


def listen(args):
    conf = make_conf(args)
    transport = oslo_messaging.get_notification_transport(conf, url=args.url)
    seen = threading.Semaphore(0)
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=args.topic)], [NotificationEndpoint(seen)],
        executor="threading", pool=args.pool)
    listener.start()
    out({"event": "ready", "topic": args.topic})
    deadline = time.time() + args.timeout
    got = 0
    while got < args.count and time.time() < deadline:
        if seen.acquire(timeout=0.2):
            got += 1
    listener.stop()
    listener.wait()
    transport.cleanup()
    out({"event": "stopped", "received": got})
    return 0 if got >= args.count else 1


def notify(args):
    conf = make_conf(args)
    transport = oslo_messaging.get_notification_transport(conf, url=args.url)
    notifier = oslo_messaging.Notifier(transport, publisher_id=args.publisher_id, driver=args.driver,
                                       topics=[args.topic])
    getattr(notifier, args.priority)(json.loads(args.context), args.event_type, json.loads(args.payload))
    transport.cleanup()
    out({"ok": True})
    return 0


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    p = argparse.ArgumentParser(prog="py_peer")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--url", required=True)
        sp.add_argument("--topic", required=True)
        sp.add_argument("--control-exchange", default="openstack")
        sp.add_argument("--config-file", action="append", default=[])

    s = sub.add_parser("serve")
    common(s)
    s.add_argument("--server")
    s.add_argument("--exchange")
    s.add_argument("--version", default="1.0")
    s.add_argument("--namespace")

    c = sub.add_parser("call")
    common(c)
    c.add_argument("--method", required=True)
    c.add_argument("--args", default="{}")
    c.add_argument("--server")
    c.add_argument("--exchange")
    c.add_argument("--version")
    c.add_argument("--namespace")
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("--call-monitor-timeout", type=float)
    c.add_argument("--cast", action="store_true")
    c.add_argument("--fanout", action="store_true")
    c.add_argument("--context", default="{}")

    li = sub.add_parser("listen")
    common(li)
    li.add_argument("--pool")
    li.add_argument("--count", type=int, default=1)
    li.add_argument("--timeout", type=float, default=20)

    n = sub.add_parser("notify")
    common(n)
    n.add_argument("--event-type", required=True)
    n.add_argument("--payload", default="{}")
    n.add_argument("--priority", default="info")
    n.add_argument("--driver", default="messagingv2")
    n.add_argument("--publisher-id", default="py_peer.host")
    n.add_argument("--context", default="{}")

    args = p.parse_args()
    return {"serve": serve, "call": call, "listen": listen, "notify": notify}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
