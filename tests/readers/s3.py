"""An S3 client that is not storesim's (boto3), for the object storage
tests.

    python s3.py mkbucket ENDPOINT BUCKET
    python s3.py fetch ENDPOINT BUCKET PREFIX DIR

`fetch` downloads every object under PREFIX/ into DIR (paths relative to
the prefix) and prints one JSON line: {"objects": N, "uploads": M}, M the
multipart uploads under the prefix not completed (none may be left after
a clean run; a killed run's are invisible, but listed here)."""
import json
import os
import sys

import boto3


def client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def main():
    command, endpoint = sys.argv[1], sys.argv[2]
    s3 = client(endpoint)
    if command == "mkbucket":
        s3.create_bucket(Bucket=sys.argv[3])
        return
    bucket, prefix, out = sys.argv[3], sys.argv[4].strip("/") + "/", sys.argv[5]
    objects = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            relative = o["Key"][len(prefix):]
            path = os.path.join(out, *relative.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            s3.download_file(bucket, o["Key"], path)
            objects += 1
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
    print(json.dumps({"objects": objects, "uploads": len(uploads)}))


main()
