//! A real authoritative DNS server for tests (hickory-server), serving one in-memory zone on a
//! random loopback port over UDP and TCP. The integration tests start one per test and change
//! its records; `examples/test_dns.rs` serves an empty zone for the browser tests, where every
//! name under it is NXDOMAIN.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType, RrKey};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;

pub struct TestDns {
    /// Where the server listens (the same port for UDP and TCP).
    pub addr: SocketAddr,
    zone: Arc<InMemoryZoneHandler>,
    serial: AtomicU32,
    // Dropping the server stops it.
    _server: Server<Catalog>,
}

fn name(s: &str) -> Name {
    Name::from_str(&format!("{}.", s.trim_end_matches('.'))).expect("dns name")
}

impl TestDns {
    /// Serves the zone `origin` (e.g. `test`) on 127.0.0.1 at a free port.
    pub async fn start(origin: &str) -> TestDns {
        let origin_name = name(origin);
        let zone =
            InMemoryZoneHandler::empty(origin_name.clone(), ZoneType::Primary, AxfrPolicy::Deny);
        let soa = SOA::new(
            name(&format!("ns.{origin}")),
            name(&format!("hostmaster.{origin}")),
            1,
            3600,
            600,
            86400,
            0,
        );
        assert!(
            zone.upsert(
                Record::from_rdata(origin_name.clone(), 0, RData::SOA(soa)),
                1
            )
            .await,
            "SOA"
        );
        let zone = Arc::new(zone);
        let mut catalog = Catalog::new();
        catalog.upsert(
            LowerName::new(&origin_name),
            vec![zone.clone() as Arc<dyn ZoneHandler>],
        );
        let mut server = Server::new(catalog);
        // UDP on a free port, then TCP on the same one (retried if another process has it).
        let (udp, tcp) = loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
                .await
                .expect("udp");
            let port = udp.local_addr().expect("addr").port();
            if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().expect("addr");
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64);
        TestDns {
            addr,
            zone,
            serial: AtomicU32::new(2),
            _server: server,
        }
    }

    async fn put(&self, owner: &str, rdata: RData) {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let record = Record::from_rdata(name(owner), 0, rdata);
        assert!(self.zone.upsert(record, serial).await, "record {owner}");
    }

    /// Removes every record of `kind` at `owner`.
    pub async fn remove(&self, owner: &str, kind: RecordType) {
        let key = RrKey::new(LowerName::new(&name(owner)), kind);
        self.zone.records_mut().await.remove(&key);
    }

    /// Makes `owner` a CNAME to `target` (replacing any CNAME it had).
    pub async fn set_cname(&self, owner: &str, target: &str) {
        self.remove(owner, RecordType::CNAME).await;
        self.put(owner, RData::CNAME(CNAME(name(target)))).await;
    }

    /// Sets the one TXT record at `owner`.
    pub async fn set_txt(&self, owner: &str, value: &str) {
        self.remove(owner, RecordType::TXT).await;
        self.put(owner, RData::TXT(TXT::new(vec![value.to_string()])))
            .await;
    }

    /// Adds an A or AAAA record at `owner`.
    pub async fn add_ip(&self, owner: &str, ip: IpAddr) {
        let rdata = match ip {
            IpAddr::V4(v4) => RData::A(A(v4)),
            IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
        };
        self.put(owner, rdata).await;
    }
}
