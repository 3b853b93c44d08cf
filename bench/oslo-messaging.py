"""Python oslo.messaging (Debian python3-oslo.messaging, rabbit driver, threading executor) on
the same broker and payloads as bench/rpc.ts: calls/s at 1, 8 and 64 in flight, so our figures
can be read next to the library we are compatible with.

    TRANSPORT_URL=rabbit://... /usr/bin/python3 bench/oslo-messaging.py

The server runs in a child process; each point is bounded by BENCH_CALLS (3000) and
BENCH_SECONDS (10). Loopback brokers only.
"""
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

from oslo_config import cfg
import oslo_messaging

URL = os.environ.get('TRANSPORT_URL', '')
CALLS = int(os.environ.get('BENCH_CALLS', '3000'))
SECONDS = float(os.environ.get('BENCH_SECONDS', '10'))
CONCURRENCY = [int(c) for c in os.environ.get('BENCH_C', '1,8,64').split(',')]
TOPIC = 'bench_py_oslo'

CONNECTOR = {'ip': '192.168.10.21', 'host': 'compute-01', 'initiator': 'iqn.1994-05.com.redhat:6d1f0c3a9b2e',
             'multipath': False, 'platform': 'x86_64', 'os_type': 'linux'}
VOLUME = '6f1c2a7e-0d5b-4c1e-9a3f-2b8d7e6c5a41'
CONNECTION_INFO = {
    'driver_volume_type': 'iscsi',
    'data': {
        'target_discovered': False, 'target_iqn': 'iqn.2010-10.org.openstack:volume-' + VOLUME,
        'target_portal': '192.168.10.5:3260', 'target_lun': 1, 'volume_id': VOLUME,
        'auth_method': 'CHAP', 'auth_username': 'Xk2mP9qL4vB7', 'auth_password': 'r8T3wN6yZ1cH5fJ0', 'encrypted': False,
        'qos_specs': None, 'access_mode': 'rw', 'cacheable': False, 'discard': True,
        'target_iqns': ['iqn.2010-10.org.openstack:volume-' + VOLUME], 'target_portals': ['192.168.10.5:3260'],
        'target_luns': [1],
    },
    'serial': VOLUME,
}


class Endpoint(object):
    def initialize_connection(self, ctxt, connector):
        return CONNECTION_INFO


def transport():
    conf = cfg.CONF
    conf([], project='bench')
    return oslo_messaging.get_rpc_transport(conf, url=URL)


def serve():
    server = oslo_messaging.get_rpc_server(transport(), oslo_messaging.Target(topic=TOPIC, server='bench'),
                                           [Endpoint()], executor='threading')
    server.start()
    print('ready', flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


def measure(client, ctx, c):
    for _ in range(min(300, 50 * c)):
        client.call(ctx, 'initialize_connection', connector=CONNECTOR)
    state = {'started': 0}
    lock = threading.Lock()
    deadline = time.time() + SECONDS

    def worker():
        while True:
            with lock:
                if state['started'] >= CALLS or time.time() > deadline:
                    return
                state['started'] += 1
            client.call(ctx, 'initialize_connection', connector=CONNECTOR)

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state['started'] / (time.time() - t0)


def main():
    if not URL:
        sys.exit('TRANSPORT_URL is not set (bash scripts/servers.sh start DIR && source DIR/env)')
    for host in urlparse(URL.split(',')[0]).hostname, :
        if host not in ('127.0.0.1', 'localhost', '::1'):
            sys.exit('bench runs against a loopback broker only')
    if len(sys.argv) > 1 and sys.argv[1] == 'server':
        serve()
        return
    server = subprocess.Popen([sys.executable, __file__, 'server'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        if server.stdout.readline().strip() != b'ready':
            sys.exit('oslo.messaging bench server did not start')
        client = oslo_messaging.get_rpc_client(transport(), oslo_messaging.Target(topic=TOPIC, server='bench'), timeout=30)
        ctx = {'user_id': 'u1', 'project_id': 'p1', 'request_id': 'req-bench', 'roles': ['admin'], 'is_admin': True}
        print('| metric | oslo.messaging |')
        print('|---|---|')
        for c in CONCURRENCY:
            print('| c=%d calls/s | %.0f |' % (c, measure(client, ctx, c)), flush=True)
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == '__main__':
    main()
