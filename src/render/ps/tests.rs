use std::collections::HashMap;

use super::*;
use crate::engine::{MountSummary, State};
use crate::reconcile::observe::ObservedContainer;

fn port(ip: Option<&str>, private: u16, public: Option<u16>, protocol: &str) -> PortSummary {
    PortSummary { ip: ip.map(str::to_string), private_port: private, public_port: public, protocol: protocol.into() }
}

/// The ports of the stack v2 was run on: `8081:80`, `127.0.0.1:9000-9001:9000-9001`,
/// `5353:53/udp`, `7000` (given 32769) and an exposed-only 6000.
fn engine_ports() -> Vec<PortSummary> {
    vec![
        port(Some("127.0.0.1"), 9001, Some(9001), "tcp"),
        port(Some("0.0.0.0"), 7000, Some(32769), "tcp"),
        port(Some("::"), 7000, Some(32769), "tcp"),
        port(None, 6000, None, "tcp"),
        port(Some("0.0.0.0"), 80, Some(8081), "tcp"),
        port(Some("::"), 80, Some(8081), "tcp"),
        port(Some("0.0.0.0"), 53, Some(5353), "udp"),
        port(Some("::"), 53, Some(5353), "udp"),
        port(Some("127.0.0.1"), 9000, Some(9000), "tcp"),
    ]
}

#[test]
fn ports_text_matches_v2() {
    assert_eq!(
        ports_text(&publishers(&engine_ports())),
        "6000/tcp, 127.0.0.1:9000-9001->9000-9001/tcp, 0.0.0.0:5353->53/udp, [::]:5353->53/udp, 0.0.0.0:8081->80/tcp, [::]:8081->80/tcp, \
         0.0.0.0:32769->7000/tcp, [::]:32769->7000/tcp"
    );
    // A gap closes a range; exposed ports group as well.
    let gap = [port(None, 80, None, "tcp"), port(None, 81, None, "tcp"), port(None, 83, None, "tcp")];
    assert_eq!(ports_text(&publishers(&gap)), "80-81/tcp, 83/tcp");
    assert_eq!(ports_text(&[]), "");
}

#[test]
fn publishers_are_objects_by_container_port() {
    let p = publishers(&engine_ports());
    assert_eq!(p.iter().map(|p| p.target_port).collect::<Vec<_>>(), [53, 53, 80, 80, 6000, 7000, 7000, 9000, 9001]);
    assert_eq!(p[4], Publisher { url: String::new(), target_port: 6000, published_port: 0, protocol: "tcp".into() });
    assert_eq!(serde_json::to_string(&p[0]).unwrap(), r#"{"URL":"0.0.0.0","TargetPort":53,"PublishedPort":5353,"Protocol":"udp"}"#);
}

#[test]
fn words_and_quoting_follow_the_docker_cli() {
    assert_eq!(human_duration(0.4), "Less than a second");
    assert_eq!(human_duration(1.9), "1 second");
    assert_eq!(human_duration(59.0), "59 seconds");
    assert_eq!(human_duration(61.0), "About a minute");
    assert_eq!(human_duration(3599.0), "59 minutes");
    assert_eq!(human_duration(5400.0), "2 hours");
    assert_eq!(human_duration(3.0 * 86400.0), "3 days");
    assert_eq!(human_duration(20.0 * 86400.0), "2 weeks");
    assert_eq!(human_duration(90.0 * 86400.0), "3 months");
    assert_eq!(human_duration(800.0 * 86400.0), "2 years");
    assert_eq!(ellipsis("sh -c 'trap 'exit 0' TERM; while", 20), "sh -c 'trap 'exit 0…");
    assert_eq!(ellipsis("true", 20), "true");
    assert_eq!(go_quote("sh -c \"a\\b\"\n\u{1}…"), r#""sh -c \"a\\b\"\n\x01…""#);
    assert_eq!(created_at(1_796_204_982, 0, "UTC"), "2026-12-02 09:49:42 +0000 UTC");
    assert_eq!(created_at(0, -(3 * 3600 + 1800), "-0330"), "1969-12-31 20:30:00 -0330 -0330");
    assert_eq!(created_at(951_782_400, 3600, "CET"), "2000-02-29 01:00:00 +0100 CET");
}

#[test]
fn a_row_has_every_v2_field_in_v2_order() {
    let mut c = ObservedContainer::example("psv2", "web", 1, "psv2-web-1", "h", State::Running);
    c.id = "039392b8e2c083d43d4d43d4a0c00ec7ff936eb759bf6b97cf7dfbb26f93d837".into();
    c.command = "sh -c 'trap 'exit 0' TERM; sleep 1'".into();
    c.created = 1_796_204_982;
    c.image = "busybox".into();
    c.status = "Up 2 seconds".into();
    c.ports = vec![port(Some("0.0.0.0"), 80, Some(8081), "tcp")];
    c.networks = vec!["psv2_back".into(), "psv2_front".into()];
    c.mounts = vec![
        MountSummary {
            kind: "volume".into(),
            name: Some("psv2_data".into()),
            source: "/var/lib/docker/volumes/psv2_data/_data".into(),
            driver: Some("local".into()),
            destination: "/data".into(),
            read_write: true,
        },
        MountSummary { kind: "bind".into(), name: None, source: "/tmp/a-long-project-dir".into(), driver: None, destination: "/src".into(), read_write: true },
    ];
    c.all_labels = HashMap::from([("com.example.b".to_string(), "x,y".to_string()), ("com.example.a".to_string(), "1".to_string())]);
    let entry = PsEntry { container: c, health: None, exit_code: 0 };
    let utc = |_| (0, "UTC".to_string());
    let row = PsRow::new(&entry, true, &Clock { now: 1_796_204_986.5, zone: &utc });
    assert_eq!(
        row.to_json(),
        concat!(
            r#"{"Command":"\"sh -c 'trap 'exit 0…\"","CreatedAt":"2026-12-02 09:49:42 +0000 UTC","ExitCode":0,"Health":"","ID":"039392b8e2c0","#,
            r#""Image":"busybox","Labels":"com.example.a=1,com.example.b=x,y","LocalVolumes":"1","Mounts":"psv2_data,/tmp/a-long-pr…","#,
            r#""Name":"psv2-web-1","Names":"psv2-web-1","Networks":"psv2_back,psv2_front","Ports":"0.0.0.0:8081-\u003e80/tcp","Project":"psv2","#,
            r#""Publishers":[{"URL":"0.0.0.0","TargetPort":80,"PublishedPort":8081,"Protocol":"tcp"}],"RunningFor":"4 seconds ago","#,
            r#""Service":"web","Size":"0B","State":"running","Status":"Up 2 seconds"}"#
        )
    );
    let full = PsRow::new(&entry, false, &Clock { now: 1_796_204_986.5, zone: &utc });
    assert_eq!(full.id.len(), 64);
    assert_eq!(full.mounts, "psv2_data,/tmp/a-long-project-dir");
}
