//! `storesim kafka`: check a broker, tail a topic.

use crate::*;

pub(crate) fn kafka(action: KafkaAction) -> Result<ExitCode, Failure> {
    match action {
        KafkaAction::Check { url, kafka_opts } => {
            let mut spec: SinkSpec = input(url.parse())?;
            spec.add_kafka_properties(&kafka_opts);
            let storesim_sinks::SinkKind::Kafka(config) = &spec.kind else {
                return Err(Failure::Input(anyhow::anyhow!(
                    "`{url}` is not a kafka:// URL"
                )));
            };
            let topics = input(storesim_sinks::kafka::check(&url, config))?;
            println!("{}: reachable, {} topics", config.brokers, topics.len());
            for t in topics {
                println!("  {t}");
            }
        }
        KafkaAction::Tail {
            topic,
            brokers,
            from_beginning,
            max,
            idle,
            keys,
            kafka_opts,
        } => {
            let mut out = std::io::stdout().lock();
            let result = storesim_readers::tail::tail(
                &brokers,
                &kafka_opts,
                &topic,
                from_beginning,
                max,
                idle.map(Into::into),
                |record| {
                    if keys {
                        let key = record.key.as_deref().unwrap_or("");
                        writeln!(out, "{key}\t{}", record.value).is_ok()
                    } else {
                        writeln!(out, "{}", record.value).is_ok()
                    }
                },
            );
            input(result)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
