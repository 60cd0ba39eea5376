#!/bin/bash
# ovs-vsctl list, find and get on Open vSwitch 3.1: the rows of the Bridge, Port, Interface
# and Open_vSwitch tables, --columns, the output formats. Row UUIDs change every run: shown
# as UUID. ovsdb lists rows in an order that follows their random UUIDs: listings of several
# rows are sorted (or one row is listed). Left out because the userspace datapath that records
# this differs from the kernel's that l2lab models: datapath_id, datapath_type and
# datapath_version of Bridge rows, and the internal interface's driver status, speed and
# duplex; Interface statistics, which ovs-vswitchd refreshes every 5 seconds, are left out
# too.
run() { echo "\$ $*"; "$@" 2>&1 | uuids; echo "rc=${PIPESTATUS[0]}"; }
uuids() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g'; }
# Several rows: each row on one line (fields joined by |), sorted.
rows() { echo "\$ $* | rows"; "$@" | uuids | awk -v RS= '{ gsub(/\n/, " | "); print }' | LC_ALL=C sort; }
sorted() { echo "\$ $* | sort"; "$@" | uuids | LC_ALL=C sort; }
datapath='^(datapath_id|datapath_type|datapath_version) '
ip link add veth0 type veth peer name veth1
ip link add veth2 type veth peer name veth3
ovs-vsctl add-br br0
ovs-vsctl add-port br0 veth0
ovs-vsctl add-br br1
ovs-vsctl add-port br1 veth2
ovs-vsctl set bridge br0 other_config:mac-aging-time=60 other_config:a=b
ovs-vsctl set-fail-mode br1 secure
echo '$ ovs-vsctl list bridge br0 | grep -v datapath'
ovs-vsctl list bridge br0 | uuids | grep -Ev "$datapath"
echo '$ ovs-vsctl list bridge | grep -v datapath | rows'
ovs-vsctl list bridge | uuids | grep -Ev "$datapath" | awk -v RS= '{ gsub(/\n/, " | "); print }' | LC_ALL=C sort
run ovs-vsctl list port veth0
rows ovs-vsctl list port
echo '$ ovs-vsctl list interface veth0 | grep -v statistics'
ovs-vsctl list interface veth0 | uuids | grep -Ev '^statistics '
run ovs-vsctl --columns=name,ofport,type,error,admin_state,link_state,mtu list interface br0
run ovs-vsctl --columns=bridges,cur_cfg,next_cfg,datapath_types,iface_types,ovs_version,db_version list open_vswitch
run ovs-vsctl list controller
run ovs-vsctl list Mirror
run ovs-vsctl --columns=name,ports list br br0
run ovs-vsctl --columns=NAME,Mac list inter veth0
run ovs-vsctl --columns=name, list port veth2
run ovs-vsctl --columns=_uuid,name list o .
run ovs-vsctl --columns=name list bridge br1 br0 br1
run ovs-vsctl --if-exists --columns=name list bridge nope br1
run ovs-vsctl --columns=name,fail_mode list bridge .
echo '--- formats'
sorted ovs-vsctl --format=table --columns=name,ofport,type list interface
sorted ovs-vsctl -f csv --columns=name,ofport,type list interface
run ovs-vsctl -f csv --columns=name,ports,other_config,fail_mode list bridge br0
run ovs-vsctl -f table --columns=name,ports,other_config,fail_mode list bridge br0
run ovs-vsctl -f json --columns=name,ports,other_config,fail_mode,stp_enable list bridge br0
run ovs-vsctl -f json --data=string --no-headings --columns=name,ofport,type list interface veth0
run ovs-vsctl -f html --columns=name,type,status list interface veth0
run ovs-vsctl -f html --no-headings --columns=name list interface veth2
run ovs-vsctl --bare --columns=name,ports,other_config,fail_mode list bridge br0
run ovs-vsctl --data=bare --columns=name,other_config,fail_mode list bridge br0
run ovs-vsctl --format=table --data=bare --columns=name,other_config list bridge br0
run ovs-vsctl --format=csv --data=bare --columns=name,other_config list bridge br0
run ovs-vsctl --no-headings --columns=name,ofport list interface veth0
run ovs-vsctl -f table --no-headings --columns=name,ofport list interface veth0
run ovs-vsctl --format=table --bare --columns=name,ofport list interface veth2
run ovs-vsctl -f table --columns=name list mirror
echo '--- find'
rows ovs-vsctl --columns=name find interface ofport=1
rows ovs-vsctl --columns=name,ofport find interface 'ofport>1'
rows ovs-vsctl --columns=name find interface 'ofport<=2'
run ovs-vsctl --columns=name find interface name!=veth0 name!=veth2 name!=br1
run ovs-vsctl --columns=name find interface type=internal name=br0
run ovs-vsctl --columns=name find interface 'type=""' name=veth2
run ovs-vsctl --columns=name find bridge other_config:a=b
run ovs-vsctl --columns=name find bridge other_config:a=c
run ovs-vsctl --columns=name find bridge fail_mode=secure
run ovs-vsctl --columns=name find bridge 'fail_mode=[]'
rows ovs-vsctl --columns=name,tag find port 'tag=[]'
run ovs-vsctl --columns=name find bridge 'other_config{>=}a=b'
run ovs-vsctl --columns=name find port name=nope
run ovs-vsctl -f csv --columns=name find port name=nope
echo '$ ovs-vsctl find bridge name=br1 | grep -v datapath'
ovs-vsctl find bridge name=br1 | uuids | grep -Ev "$datapath"
echo '--- get'
ip link set veth0 up
ip link set veth1 up
sleep 2
run ovs-vsctl get interface veth0 mac_in_use ofport admin_state link_state type name mtu error link_resets
ip link set veth0 down
ip link set br0 up
sleep 1
run ovs-vsctl get interface veth0 admin_state link_state link_resets
run ovs-vsctl get interface br0 admin_state link_state link_resets
run ovs-vsctl get interface veth2 admin_state link_state ofport
run ovs-vsctl get interface br0 ofport type
run ovs-vsctl get port veth0 tag trunks interfaces name
run ovs-vsctl get bridge br0 fail_mode stp_enable rstp_enable other_config mcast_snooping_enable
run ovs-vsctl get bridge br0 other_config:a other_config:mac-aging-time
run ovs-vsctl get bridge br1 fail_mode ports
run ovs-vsctl get bridge br0 _uuid
run ovs-vsctl get open . bridges ovs_version cur_cfg
run ovs-vsctl get Interface veth0 NAME
run ovs-vsctl --if-exists get bridge br0 other_config:nope
run ovs-vsctl --if-exists get bridge nope name
run ovs-vsctl set bridge br0 fail_mode=secure
run ovs-vsctl get bridge br0 fail_mode
run ovs-vsctl set bridge br0 'fail_mode=[]'
run ovs-vsctl get bridge br0 fail_mode
run ovs-vsctl set interface veth0 ofport=5
sleep 1
run ovs-vsctl get interface veth0 ofport
run ovs-vsctl get open . cur_cfg next_cfg
run ovs-vsctl --may-exist add-br br0
run ovs-vsctl set bridge br0 other_config:a=b
run ovs-vsctl get open . cur_cfg next_cfg
run ovs-vsctl --columns=name list interface veth2 -- get bridge br0 name -- list-br
run ovs-vsctl set bridge br0 'other_config={c="d e", mac-aging-time=30}'
run ovs-vsctl get bridge br0 other_config
run ovs-vsctl set bridge br0 'other_config={}'
run ovs-vsctl get bridge br0 other_config
run ovs-vsctl get open . cur_cfg next_cfg
run ovs-vsctl --oneline list-br -- br-exists br0 -- get bridge br0 name other_config -- --columns=name list bridge br0
run ovs-vsctl --no-wait --dry-run add-br br3 -- list-br
run ovs-vsctl --no-wait --dry-run del-br br1 -- list-br
run ovs-vsctl list-br
echo '--- set operators, quoted keys'
run ovs-vsctl --columns=name find interface 'ofport{in}[1]' name=veth0
run ovs-vsctl --columns=name find interface 'ofport{in}1' 'name{!=}veth2'
rows ovs-vsctl --columns=name find interface 'ofport{not-in}1'
rows ovs-vsctl --columns=name find bridge 'other_config{=}{}'
rows ovs-vsctl --columns=name find bridge 'other_config={}' 'fail_mode{in}secure'
run ovs-vsctl --columns=name find interface 'type{in}internal' 'name{<=}br0'
run ovs-vsctl set bridge br0 'other_config:"a b"=c' other_config:x=a,b
run ovs-vsctl get bridge br0 'other_config:"a b"' other_config:x other_config
