"""A session of python-consul (Debian's python3-consul), a Consul client nobody here wrote,
against Weft's Consul-compatible API. Every step asserts; the script exits non-zero on the first
mismatch and prints OK at the end. Usage: consul_client_session.py HOST PORT TOKEN"""
import sys
import threading
import time

import consul

host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = consul.Consul(host=host, port=port, token=token)
# python-consul 0.7 adds ?token= to some calls only (it relies on a Consul agent's default token
# for the rest, such as check updates); send it on every request, as X-Consul-Token.
c.http.session.headers["X-Consul-Token"] = token


def step(name, cond, detail=""):
    if not cond:
        print("FAILED: %s %s" % (name, detail))
        sys.exit(1)
    print("ok: " + name)


self_info = c.agent.self()
step("agent/self datacenter", self_info["Config"]["Datacenter"] == "dc1", self_info)
step("status/leader", bool(c.status.leader()))

step("register web-1", c.agent.service.register("web", service_id="web-1", address="127.0.0.1", port=8080,
                                                tags=["v1"], check=consul.Check.ttl("30s")))
step("register web-2", c.agent.service.register("web", service_id="web-2", address="127.0.0.2", port=8081,
                                                tags=["v2"], check=consul.Check.ttl("30s")))

index, nodes = c.health.service("web", passing=True)
step("new TTL checks start critical", nodes == [], nodes)
c.agent.check.ttl_pass("service:web-1", notes="ok")
index, nodes = c.health.service("web", passing=True)
step("passing filter", [n["Service"]["ID"] for n in nodes] == ["web-1"], nodes)
step("node and checks shape", nodes[0]["Node"]["Address"] == "127.0.0.1"
     and any(ch["CheckID"] == "service:web-1" and ch["Status"] == "passing" for ch in nodes[0]["Checks"]), nodes[0])


def pass_later():
    time.sleep(0.5)
    c.agent.check.ttl_pass("service:web-2")


threading.Thread(target=pass_later).start()
started = time.time()
new_index, nodes = c.health.service("web", passing=True, index=index, wait="20s")
elapsed = time.time() - started
step("blocking query returns on change", new_index > index and len(nodes) == 2 and 0.3 < elapsed < 10,
     "index %s -> %s, %d nodes, %.2fs" % (index, new_index, len(nodes), elapsed))

started = time.time()
same_index, _ = c.health.service("web", index=new_index, wait="1s")
step("blocking query times out with the same index", same_index == new_index and time.time() - started >= 0.9)

index, services = c.catalog.services()
step("catalog/services with tags", set(services.get("web", [])) == {"v1", "v2"}, services)
index, entries = c.catalog.service("web", tag="v2")
step("catalog/service tag filter", [(e["ServiceID"], e["ServicePort"], e["ServiceAddress"]) for e in entries]
     == [("web-2", 8081, "127.0.0.2")], entries)

c.agent.check.ttl_fail("service:web-1", notes="down")
index, nodes = c.health.service("web", passing=True)
step("failed check leaves the passing set", [n["Service"]["ID"] for n in nodes] == ["web-2"], nodes)

step("deregister", c.agent.service.deregister("web-1"))
index, entries = c.catalog.service("web")
step("deregistered instance is gone", [e["ServiceID"] for e in entries] == ["web-2"], entries)

denied = consul.Consul(host=host, port=port, token="not-the-token")
try:
    denied.agent.service.register("evil", service_id="evil-1", address="127.0.0.1", port=1)
    step("wrong token refused", False)
except consul.ACLPermissionDenied:
    step("wrong token refused", True)
try:
    c.agent.service.register("Bad_Name", service_id="bad", address="127.0.0.1", port=1)
    step("bad name refused", False)
except consul.base.BadRequest as e:
    step("bad name refused with a message", "Bad_Name" in str(e), str(e))
index, services = c.catalog.services()
step("nothing partial stored", set(services) == {"web"}, services)
print("OK")
