"""User networks on docker and podman: created with labels, one container reaches another by name."""

from __future__ import annotations

import json

from herodo_py import nerdctl as n
from herodo_py.nerdctl import executor


def test_two_containers_on_a_user_network_reach_each_other_by_name(engine, test_image, unique_name):
    net, server, client = unique_name(), unique_name(), unique_name()
    try:
        executor.configure(labels={"herodo.case": net})
        n.network_create(net)
        executor.configure(labels={})
        record = json.loads(engine.run("network", "inspect", net, check=True).stdout)[0]
        labels = record.get("Labels", record.get("labels"))  # podman writes lower-case keys
        assert labels == {"herodo.case": net}
        web = (n.Container.from_image(server, test_image).with_network(net)
               .with_command("mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www")
               .build())
        web.wait_running(20)
        probe = (n.Container.from_image(client, test_image).with_network(net)
                 .with_command(["sh", "-c", f"for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://{server}/ && exit 0;"
                                             " sleep 0.5; done; exit 1"])
                 .with_detach(False).build())
        assert probe.result.stdout == "hello-from-web\n"
        web.remove(force=True)
        probe.remove(force=True)
        n.network_remove(net)
        assert engine.run("network", "inspect", net).returncode != 0
    finally:
        engine.run("rm", "-f", server, client)
        engine.run("network", "rm", net)
