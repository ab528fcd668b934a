//! bench-floor: the engine's own cost for the benchmark stack.
//!
//! It brings up and takes down the same stack that `bench/run.py` writes as a
//! compose file, but with nothing a compose tool does besides the engine
//! calls themselves: no file to load, no engine state to observe, no plan, no
//! output, no concurrency limit. Every call goes out as soon as what it needs
//! is there.
//!
//! ```text
//! bench-floor up N PROJECT [--levels L]     network, N named volumes, N containers, started in dependency order
//! bench-floor down N PROJECT [--levels L] [--flat]
//! bench-floor graph N [--levels L]          print the dependency graph (run.py checks it matches its own)
//! ```
//!
//! `up`: the network and each service's named volume are created at once;
//! each container is created as soon as the network and its own volume exist,
//! and started as soon as the containers it depends on are started.
//!
//! `down`: each container is stopped once every container that depends on it
//! has stopped (the order every compose tool keeps), then removed with its
//! anonymous volumes (`v=true`), then its named volume is removed; the network
//! goes last. `--flat` stops all containers at once instead, ignoring the
//! order, for a look at the absolute lower bound.
//!
//! The names and `com.docker.compose.*` labels follow docker compose
//! (`PROJECT-sNNN-1`, `PROJECT_default`, `PROJECT_data-sNNN`), so the
//! benchmark's checks and cleanups find the floor's objects like any other.

use std::collections::HashMap;
use std::process::ExitCode;

use bollard::models::{ContainerCreateBody, EndpointSettings, HostConfig, Mount, MountType, NetworkCreateRequest, NetworkingConfig, VolumeCreateRequest};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder, StopContainerOptionsBuilder};
use bollard::Docker;
use futures::future::{BoxFuture, FutureExt, Shared};

const IMAGE: &str = "rcompose-test/busybox:latest";
/// The same process the compose files run: it exits at once on SIGTERM.
const SCRIPT: &str = "trap 'exit 0' TERM; while true; do sleep 0.2 & wait $!; done";
/// docker compose's default stop grace period.
const STOP_TIMEOUT: i32 = 10;

type Step = Shared<BoxFuture<'static, Result<(), String>>>;

/// The layered dependency graph, identical to `dag()` in bench/run.py:
/// services are spread evenly over `levels` levels (in index order), and a
/// service depends on one service of the level above, every second one on two.
fn dag(n: usize, levels: usize) -> Vec<Vec<usize>> {
    let levels = levels.min(n).max(1);
    let level_of: Vec<usize> = (0..n).map(|i| i * levels / n).collect();
    let members: Vec<Vec<usize>> = (0..levels).map(|l| (0..n).filter(|&i| level_of[i] == l).collect()).collect();
    (0..n)
        .map(|i| {
            let l = level_of[i];
            if l == 0 {
                return Vec::new();
            }
            let prev = &members[l - 1];
            let j = members[l].iter().position(|&x| x == i).unwrap();
            let mut deps = vec![prev[j % prev.len()]];
            if prev.len() > 1 && j % 2 == 1 {
                deps.push(prev[(j + 1) % prev.len()]);
            }
            deps
        })
        .collect()
}

fn service(i: usize) -> String {
    format!("s{i:03}")
}

fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn err(what: String) -> impl FnOnce(bollard::errors::Error) -> String {
    move |e| format!("{what}: {e}")
}

async fn up(docker: Docker, n: usize, levels: usize, project: String) -> Result<(), String> {
    let deps = dag(n, levels);
    let network = format!("{project}_default");
    let net: Step = {
        let (docker, project, network) = (docker.clone(), project.clone(), network.clone());
        async move {
            let req = NetworkCreateRequest {
                name: network.clone(),
                driver: Some("bridge".into()),
                labels: Some(labels(&[("com.docker.compose.project", &project), ("com.docker.compose.network", "default")])),
                ..Default::default()
            };
            docker.create_network(req).await.map(|_| ()).map_err(err(format!("create network {network}")))
        }
        .boxed()
        .shared()
    };
    // Indices ascend along the graph (a dependency sits on an earlier level),
    // so every service's dependencies already have their future here.
    let mut started: Vec<Step> = Vec::with_capacity(n);
    for (i, my_deps) in deps.iter().enumerate() {
        let (docker, project, network, net) = (docker.clone(), project.clone(), network.clone(), net.clone());
        let wait_for: Vec<Step> = my_deps.iter().map(|&d| started[d].clone()).collect();
        let step = async move {
            let svc = service(i);
            let volume = format!("{project}_data-{svc}");
            let container = format!("{project}-{svc}-1");
            let vol = async {
                let req = VolumeCreateRequest {
                    name: Some(volume.clone()),
                    labels: Some(labels(&[("com.docker.compose.project", &project), ("com.docker.compose.volume", &format!("data-{svc}"))])),
                    ..Default::default()
                };
                docker.create_volume(req).await.map(|_| ()).map_err(err(format!("create volume {volume}")))
            };
            let (a, b) = futures::join!(net, vol);
            a.and(b)?;
            let body = ContainerCreateBody {
                image: Some(IMAGE.into()),
                cmd: Some(vec!["sh".into(), "-c".into(), SCRIPT.into()]),
                labels: Some(labels(&[
                    ("com.docker.compose.project", &project),
                    ("com.docker.compose.service", &svc),
                    ("com.docker.compose.container-number", "1"),
                    ("com.docker.compose.oneoff", "False"),
                ])),
                host_config: Some(HostConfig {
                    network_mode: Some(network.clone()),
                    mounts: Some(vec![
                        Mount { typ: Some(MountType::VOLUME), source: Some(volume.clone()), target: Some("/data".into()), ..Default::default() },
                        Mount { typ: Some(MountType::VOLUME), target: Some("/anon".into()), ..Default::default() },
                    ]),
                    ..Default::default()
                }),
                networking_config: Some(NetworkingConfig {
                    endpoints_config: Some(HashMap::from([(
                        network.clone(),
                        EndpointSettings { aliases: Some(vec![svc.clone(), container.clone()]), ..Default::default() },
                    )])),
                }),
                ..Default::default()
            };
            let opts = CreateContainerOptionsBuilder::new().name(&container).build();
            docker.create_container(Some(opts), body).await.map_err(err(format!("create container {container}")))?;
            for r in futures::future::join_all(wait_for).await {
                r?;
            }
            docker.start_container(&container, None).await.map_err(err(format!("start container {container}")))
        };
        started.push(step.boxed().shared());
    }
    for r in futures::future::join_all(started).await {
        r?;
    }
    Ok(())
}

async fn down(docker: Docker, n: usize, levels: usize, project: String, flat: bool) -> Result<(), String> {
    let deps = dag(n, levels);
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    // Built from the last service back: a service's dependents have higher
    // indices, so their "stopped" futures exist when it needs them.
    let mut stopped: Vec<Option<Step>> = vec![None; n];
    for i in (0..n).rev() {
        let wait_for: Vec<Step> = if flat { Vec::new() } else { dependents[i].iter().map(|&d| stopped[d].clone().unwrap()).collect() };
        let docker = docker.clone();
        let container = format!("{project}-{}-1", service(i));
        let step = async move {
            for r in futures::future::join_all(wait_for).await {
                r?;
            }
            let opts = StopContainerOptionsBuilder::new().t(STOP_TIMEOUT).build();
            docker.stop_container(&container, Some(opts)).await.map_err(err(format!("stop container {container}")))
        };
        stopped[i] = Some(step.boxed().shared());
    }
    let removals = stopped.into_iter().enumerate().map(|(i, stop)| {
        let docker = docker.clone();
        let project = project.clone();
        async move {
            stop.unwrap().await?;
            let svc = service(i);
            let container = format!("{project}-{svc}-1");
            let opts = RemoveContainerOptionsBuilder::new().v(true).build();
            docker.remove_container(&container, Some(opts)).await.map_err(err(format!("remove container {container}")))?;
            let volume = format!("{project}_data-{svc}");
            let opts = RemoveVolumeOptionsBuilder::new().build();
            docker.remove_volume(&volume, Some(opts)).await.map_err(err(format!("remove volume {volume}")))
        }
    });
    for r in futures::future::join_all(removals).await {
        r?;
    }
    let network = format!("{project}_default");
    docker.remove_network(&network).await.map_err(err(format!("remove network {network}")))
}

fn usage() -> ExitCode {
    eprintln!("usage: bench-floor up N PROJECT [--levels L] | down N PROJECT [--levels L] [--flat] | graph N [--levels L]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut levels = 4;
    let mut flat = false;
    if let Some(pos) = args.iter().position(|a| a == "--levels") {
        let Some(v) = args.get(pos + 1).and_then(|v| v.parse().ok()) else { return usage() };
        levels = v;
        args.drain(pos..pos + 2);
    }
    if let Some(pos) = args.iter().position(|a| a == "--flat") {
        flat = true;
        args.remove(pos);
    }
    let Some(n) = args.get(1).and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0) else { return usage() };
    let result = match (args[0].as_str(), args.get(2)) {
        ("graph", None) => {
            for (i, ds) in dag(n, levels).iter().enumerate() {
                let names: Vec<String> = ds.iter().map(|&d| service(d)).collect();
                println!("{}: {}", service(i), names.join(" "));
            }
            Ok(())
        }
        (cmd @ ("up" | "down"), Some(project)) if args.len() == 3 => match Docker::connect_with_defaults() {
            Err(e) => Err(format!("connect to the engine: {e}")),
            Ok(docker) if cmd == "up" => up(docker, n, levels, project.clone()).await,
            Ok(docker) => down(docker, n, levels, project.clone(), flat).await,
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-floor: {e}");
            ExitCode::FAILURE
        }
    }
}
