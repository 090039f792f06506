/**
 * Serving a model over HTTP: {@link org.vit4j.serve.VitServer} answers {@code POST /predict},
 * {@code POST /embed} and {@code GET /health} with JSON, over one {@link
 * org.vit4j.infer.BatchingModel} that gathers concurrent requests into shared forward passes. It
 * runs on the JDK's own {@code com.sun.net.httpserver}, so serving adds no dependency; {@code vit4j
 * serve} is its command line.
 */
package org.vit4j.serve;
