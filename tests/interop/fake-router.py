#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A home router's port mapping services, for test-port-map.py, run inside
a network namespace the test made: a UPnP Internet Gateway Device (SSDP
answers on the namespace's link, the device description and the
WANIPConnection:1 SOAP actions over HTTP) and a NAT-PMP server (RFC 6886)
on UDP 5351. Either may be left out. It maps nothing: it records every
request and prints one JSON line per request on stdout.

Usage: fake-router.py ADDRESS [--no-upnp] [--no-natpmp] [--external IP]"""

import argparse
import http.server
import json
import re
import socket
import struct
import sys
import threading
import time

SSDP_GROUP = "239.255.255.250"
SERVICE = "urn:schemas-upnp-org:service:WANIPConnection:1"
lock = threading.Lock()


def say(record):
    with lock:
        print(json.dumps(record), flush=True)


def description(address, port):
    def device(kind, name, inner):
        return (f"<device><deviceType>urn:schemas-upnp-org:device:{kind}:1</deviceType>"
                f"<friendlyName>{name}</friendlyName><manufacturer>Tessera tests</manufacturer>"
                f"<modelName>fake</modelName><UDN>uuid:tessera-test-{kind}</UDN>{inner}</device>")
    service = (f"<serviceList><service><serviceType>{SERVICE}</serviceType>"
               "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/scpd.xml</SCPDURL>"
               "<controlURL>/control</controlURL><eventSubURL>/events</eventSubURL></service></serviceList>")
    tree = device("InternetGatewayDevice", "Fake IGD",
                  "<deviceList>" + device("WANDevice", "WAN",
                                          "<deviceList>" + device("WANConnectionDevice", "WAN connection",
                                                                  service) + "</deviceList>") + "</deviceList>")
    return (f'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major>'
            f"<minor>0</minor></specVersion><URLBase>http://{address}:{port}/</URLBase>{tree}</root>").encode()


SCPD = (b'<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major>'
        b"<minor>0</minor></specVersion><actionList/><serviceStateTable/></scpd>")


def soap_reply(action, values):
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return (f'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            f's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            f'<u:{action}Response xmlns:u="{SERVICE}">{body}</u:{action}Response></s:Body></s:Envelope>').encode()


def make_handler(address, port, external):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, code, body=b"", content_type="text/xml; charset=\"utf-8\"", headers=()):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/rootDesc.xml":
                self.reply(200, description(address, port))
            elif self.path == "/scpd.xml":
                self.reply(200, SCPD)
            else:
                self.reply(404)

        def do_SUBSCRIBE(self):
            self.reply(200, headers=(("SID", "uuid:tessera-test-sub"), ("TIMEOUT", "Second-1800")))

        def do_UNSUBSCRIBE(self):
            self.reply(200)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode(errors="replace")
            action = (self.headers.get("SOAPACTION", "").strip('"').split("#") + [""])[1]
            fields = dict(re.findall(r"<(New\w+)>([^<]*)</New\w+>", body))
            say({"upnp": action, **fields})
            if action == "GetExternalIPAddress":
                self.reply(200, soap_reply(action, {"NewExternalIPAddress": external}))
            elif action in ("AddPortMapping", "DeletePortMapping"):
                self.reply(200, soap_reply(action, {}))
            else:
                self.reply(500, b"")

        def log_message(self, *args):
            pass

    return Handler


def ssdp(address, location):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 1900))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(SSDP_GROUP) + socket.inet_aton(address))
    while True:
        data, sender = s.recvfrom(4096)
        text = data.decode(errors="replace")
        if not text.startswith("M-SEARCH"):
            continue
        target = (re.search(r"(?im)^ST:\s*(.+?)\s*$", text) or [None, ""])[1]
        say({"ssdp": target})
        answers = {
            "ssdp:all": [SERVICE],
            "upnp:rootdevice": ["upnp:rootdevice"],
            SERVICE: [SERVICE],
            "urn:schemas-upnp-org:device:InternetGatewayDevice:1":
                ["urn:schemas-upnp-org:device:InternetGatewayDevice:1"],
        }.get(target, [])
        for st in answers:
            usn = "uuid:tessera-test-WANConnectionDevice::" + st
            reply = (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: "
                     f"{time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}\r\nEXT:\r\n"
                     f"LOCATION: {location}\r\nSERVER: Linux/6 UPnP/1.0 fake/1\r\nST: {st}\r\nUSN: {usn}\r\n\r\n")
            s.sendto(reply.encode(), sender)


def natpmp(address, external):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 5351))
    start = time.monotonic()
    while True:
        data, sender = s.recvfrom(64)
        epoch = int(time.monotonic() - start)
        if len(data) >= 2 and data[0] == 0 and data[1] == 0:
            say({"natpmp": "address"})
            s.sendto(struct.pack(">BBHI4s", 0, 128, 0, epoch, socket.inet_aton(external)), sender)
        elif len(data) >= 12 and data[0] == 0 and data[1] in (1, 2):
            private, public, lifetime = struct.unpack(">HHI", data[4:12])
            say({"natpmp": "udp" if data[1] == 1 else "tcp", "private": private, "public": public,
                 "lifetime": lifetime})
            s.sendto(struct.pack(">BBHIHHI", 0, 128 + data[1], 0, epoch, private, public or private, lifetime),
                     sender)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--no-upnp", action="store_true")
    parser.add_argument("--no-natpmp", action="store_true")
    parser.add_argument("--external", default="203.0.113.7")   # TEST-NET-3: documentation only
    args = parser.parse_args()
    if not args.no_upnp:
        server = http.server.ThreadingHTTPServer((args.address, 0), None)
        port = server.server_address[1]
        server.RequestHandlerClass = make_handler(args.address, port, args.external)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        threading.Thread(target=ssdp, args=(args.address, f"http://{args.address}:{port}/rootDesc.xml"),
                         daemon=True).start()
    if not args.no_natpmp:
        threading.Thread(target=natpmp, args=(args.address, args.external), daemon=True).start()
    say({"ready": True})
    sys.stdin.read()   # until the test closes our stdin


if __name__ == "__main__":
    main()
