//! What arrives on the ingest queue: a message we sent (list a job's prefix, ingest one
//! file of a job, deliver a job's callback), or an S3 event notification exactly as S3
//! sends it.

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A job file message (`POST /jobs` sends one per object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFileMessage {
    pub job_id: Uuid,
    pub bucket: String,
    pub key: String,
    pub request_id: String,
}

/// "List this job's prefix and enqueue its files" (`POST /jobs` sends it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMessage {
    pub list: Uuid,
}

/// "Deliver this job's callback" (the outbox: sent when the job becomes final).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackMessage {
    pub callback: Uuid,
}

/// One unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// List a job's prefix (resumable) and enqueue one file message per object.
    List { job_id: Uuid },
    /// Deliver a final job's callback (one attempt per receive).
    Callback { job_id: Uuid },
    /// A file of a known job (API job or browser upload).
    JobFile {
        job_id: Uuid,
        bucket: String,
        key: String,
        request_id: Option<String>,
    },
    /// A file dropped under `incoming/`: its job is created on first sight, with an id
    /// derived from the event so duplicate events map to the same job.
    Drop {
        job_id: Uuid,
        bucket: String,
        key: String,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("undecodable message: {0}")]
pub struct Undecodable(pub String);

#[derive(Deserialize)]
struct S3Event {
    #[serde(rename = "Records", default)]
    records: Vec<S3Record>,
    #[serde(rename = "Event")]
    event: Option<String>,
}

#[derive(Deserialize)]
struct S3Record {
    #[serde(rename = "eventName", default)]
    event_name: String,
    s3: S3Entity,
}

#[derive(Deserialize)]
struct S3Entity {
    bucket: S3Bucket,
    object: S3Object,
}

#[derive(Deserialize)]
struct S3Bucket {
    name: String,
}

#[derive(Deserialize)]
struct S3Object {
    key: String,
    #[serde(rename = "eTag", default)]
    etag: Option<String>,
    #[serde(default)]
    sequencer: Option<String>,
}

/// Namespace of drop job ids (UUID v5 of `s3://bucket/key@version`).
const DROP_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b7e_93a4_4d2b_9c1e_5a7d_0b3c_8e21);

/// Decodes a message body into the files it names (none for `s3:TestEvent` and events we
/// do not ingest).
pub fn decode(body: &str) -> Result<Vec<Task>, Undecodable> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| Undecodable(format!("not JSON: {e}")))?;
    if let Some(id) = value.get("list") {
        let job_id = serde_json::from_value(id.clone())
            .map_err(|e| Undecodable(format!("bad list message: {e}")))?;
        return Ok(vec![Task::List { job_id }]);
    }
    if let Some(id) = value.get("callback") {
        let job_id = serde_json::from_value(id.clone())
            .map_err(|e| Undecodable(format!("bad callback message: {e}")))?;
        return Ok(vec![Task::Callback { job_id }]);
    }
    if value.get("job_id").is_some() {
        let m: JobFileMessage = serde_json::from_value(value)
            .map_err(|e| Undecodable(format!("bad job file message: {e}")))?;
        return Ok(vec![Task::JobFile {
            job_id: m.job_id,
            bucket: m.bucket,
            key: m.key,
            request_id: Some(m.request_id).filter(|r| !r.is_empty()),
        }]);
    }
    let event: S3Event =
        serde_json::from_value(value).map_err(|e| Undecodable(format!("bad S3 event: {e}")))?;
    if event.event.as_deref() == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    if event.records.is_empty() {
        return Err(Undecodable(
            "neither a job file message nor an S3 event".into(),
        ));
    }
    let mut tasks = Vec::new();
    for record in event.records {
        if !record.event_name.starts_with("ObjectCreated:") {
            continue;
        }
        let key = decode_key(&record.s3.object.key)?;
        let bucket = record.s3.bucket.name;
        if let Some(rest) = key.strip_prefix("uploads/") {
            let Some((job, _name)) = rest.split_once('/') else {
                continue;
            };
            let Ok(job_id) = Uuid::parse_str(job) else {
                continue;
            };
            tasks.push(Task::JobFile {
                job_id,
                bucket,
                key,
                request_id: None,
            });
        } else if key.starts_with("incoming/") && !key.ends_with('/') {
            let version = record
                .s3
                .object
                .sequencer
                .or(record.s3.object.etag)
                .unwrap_or_default();
            let job_id = Uuid::new_v5(
                &DROP_NAMESPACE,
                format!("s3://{bucket}/{key}@{version}").as_bytes(),
            );
            tasks.push(Task::Drop {
                job_id,
                bucket,
                key,
            });
        }
    }
    Ok(tasks)
}

/// S3 event keys are URL-encoded with `+` for a space.
pub fn decode_key(raw: &str) -> Result<String, Undecodable> {
    let plus_as_space = raw.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|k| k.into_owned())
        .map_err(|_| Undecodable(format!("object key {raw:?} is not UTF-8 once decoded")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(records: &str) -> String {
        format!(r#"{{"Records":[{records}]}}"#)
    }

    fn record(key: &str, seq: &str) -> String {
        format!(
            r#"{{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put","s3":{{"s3SchemaVersion":"1.0","bucket":{{"name":"landing","arn":"arn:aws:s3:::landing"}},"object":{{"key":"{key}","size":12,"eTag":"abc","sequencer":"{seq}"}}}}}}"#
        )
    }

    #[test]
    fn job_file_message() {
        let id = Uuid::new_v4();
        let body = format!(r#"{{"job_id":"{id}","bucket":"b","key":"a/b.txt","request_id":"r1"}}"#);
        assert_eq!(
            decode(&body).unwrap(),
            vec![Task::JobFile {
                job_id: id,
                bucket: "b".into(),
                key: "a/b.txt".into(),
                request_id: Some("r1".into())
            }]
        );
    }

    #[test]
    fn s3_keys_are_url_decoded_with_plus_as_space() {
        let tasks = decode(&event(&record("incoming/my+notes%2B%C3%A9.txt", "01"))).unwrap();
        match &tasks[0] {
            Task::Drop { key, bucket, .. } => {
                assert_eq!(key, "incoming/my notes+é.txt");
                assert_eq!(bucket, "landing");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn several_records_and_uploads() {
        let id = Uuid::new_v4();
        let body = event(&format!(
            "{},{}",
            record(&format!("uploads/{id}/a.txt"), "01"),
            record("incoming/b.md", "02")
        ));
        let tasks = decode(&body).unwrap();
        assert_eq!(tasks.len(), 2);
        assert!(matches!(&tasks[0], Task::JobFile { job_id, .. } if *job_id == id));
        assert!(matches!(&tasks[1], Task::Drop { .. }));
    }

    #[test]
    fn duplicate_events_map_to_the_same_drop_job() {
        let a = decode(&event(&record("incoming/x.txt", "0055"))).unwrap();
        let b = decode(&event(&record("incoming/x.txt", "0055"))).unwrap();
        let c = decode(&event(&record("incoming/x.txt", "0099"))).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn test_event_and_other_prefixes_are_ignored() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-01T00:00:00.000Z","Bucket":"landing","RequestId":"x","HostId":"y"}"#;
        assert!(decode(test).unwrap().is_empty());
        assert!(
            decode(&event(&record("elsewhere/x.txt", "1")))
                .unwrap()
                .is_empty()
        );
        assert!(
            decode(&event(&record("incoming/folder/", "1")))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn list_and_callback_messages() {
        let id = Uuid::new_v4();
        let list = serde_json::to_string(&ListMessage { list: id }).unwrap();
        assert_eq!(decode(&list).unwrap(), vec![Task::List { job_id: id }]);
        let cb = serde_json::to_string(&CallbackMessage { callback: id }).unwrap();
        assert_eq!(decode(&cb).unwrap(), vec![Task::Callback { job_id: id }]);
        assert!(decode(r#"{"callback":"nope"}"#).is_err());
    }

    #[test]
    fn garbage_is_undecodable() {
        assert!(decode("not json").is_err());
        assert!(decode("{}").is_err());
        assert!(decode(r#"{"job_id":"nope"}"#).is_err());
    }
}
