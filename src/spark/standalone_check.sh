#!/usr/bin/env bash
# Runs the Spark job through spark-submit's own entry point (org.apache.spark.deploy.SparkSubmit)
# on a one-machine standalone cluster: a master, a worker and a separate executor JVM, all from
# Spark 4.0.1's jars in Maven Central (no Spark distribution needed). What bin/spark-submit would
# do on a real cluster, minus the network; it stops the master and worker at the end.
#
#   src/spark/standalone_check.sh [INPUT_DIR] [OUTPUT_DIR]    (defaults: sample-images, target/spark-standalone-out)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
INPUT="$(readlink -f "${1:-sample-images}")"
OUTPUT="$(readlink -m "${2:-target/spark-standalone-out}")"
export SPARK_HOME="$ROOT/target/spark-home" SPARK_SCALA_VERSION=2.13
mkdir -p target
mvn -q -B -Dstyle.color=never -Pspark -Dmaven.test.skip=true package > target/spark-standalone-build.log 2>&1 \
  || { cat target/spark-standalone-build.log; exit 3; }
if [ ! -d "$SPARK_HOME/jars" ]; then   # Spark's jars, as a distribution's jars/ folder
  mkdir -p "$SPARK_HOME/dist" "$SPARK_HOME/conf" "$SPARK_HOME/work"
  cat > "$SPARK_HOME/dist/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>spark-dist</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.13</artifactId><version>4.0.1</version></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-mllib_2.13</artifactId><version>4.0.1</version></dependency>
  </dependencies></project>
POM
  (cd "$SPARK_HOME/dist" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory="$SPARK_HOME/jars") >/dev/null
fi
cp src/spark/conf/log4j2.properties "$SPARK_HOME/conf/"
# the module flags spark-submit adds on Java 17 (pom.xml: spark.jvm.flags)
FLAGS="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' pom.xml)"
CP="$SPARK_HOME/conf:$SPARK_HOME/jars/*"
# shellcheck disable=SC2086
java -Xmx512m -cp "$CP" $FLAGS org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
  --webui-port 8090 > "$SPARK_HOME/master.log" 2>&1 &
MASTER=$!
sleep 8
# shellcheck disable=SC2086
java -Xmx512m -cp "$CP" $FLAGS org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 3g \
  --work-dir "$SPARK_HOME/work" --webui-port 8091 spark://127.0.0.1:7077 > "$SPARK_HOME/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER $MASTER 2>/dev/null || true' EXIT
sleep 10
rm -rf "$OUTPUT"
JARS="$(ls "$ROOT"/target/spark-lib/*.jar | paste -sd, -)"
set +e
# shellcheck disable=SC2086
java -cp "$CP" $FLAGS org.apache.spark.deploy.SparkSubmit --master spark://127.0.0.1:7077 --deploy-mode client \
  --class org.vit4j.spark.cli.SparkJob --jars "$JARS" --executor-memory 2g --total-executor-cores 2 \
  target/vit4j-spark.jar predict --input "$INPUT" --output "$OUTPUT" 2> "$SPARK_HOME/driver.log"
RC=$?
set -e
echo "exit code $RC; executor command and log: $(ls -d "$SPARK_HOME"/work/app-*/0 | tail -1)/stderr"
exit $RC
