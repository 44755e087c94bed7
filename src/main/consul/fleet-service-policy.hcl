# ACL policy for the instances of fleet-service: exactly what they use, nothing more (Consul 1.8 rules).
# Create it once and give each instance a token that holds it:
#   consul acl policy create -name fleet-service -rules @src/main/consul/fleet-service-policy.hcl
#   consul acl token create -policy-name fleet-service
# With failover-datacenters, the same rules serve the reads of the other datacenters: the token must then be
# known there (made in the primary datacenter, with token replication on; not a -local token).
# The scaffold command renames the service here too. The tests run instances with a token of this policy.

# register, heartbeat (TTL check) and leave; read back its own entry; watch it (here and in failover datacenters)
service "fleet-service" {
  policy = "write"
}

# health reads hide every instance of nodes the token cannot read: discovery would find none (in every datacenter)
node_prefix "" {
  policy = "read"
}

# configuration read at startup (greeting) and the replica policy, watched
key_prefix "config/fleet-service/" {
  policy = "read"
}

# the leader lock, the drain requests and the fleet's audit trail (service/<service>/audit, written by the leader)
key_prefix "service/fleet-service/" {
  policy = "write"
}

# the session that holds the leader lock
session_prefix "" {
  policy = "write"
}
