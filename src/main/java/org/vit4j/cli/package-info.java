/**
 * The {@code vit4j} command line (picocli). Commands only parse options, call the library and
 * print: results on stdout, logs and progress on stderr, exit codes from {@link
 * org.vit4j.cli.ExitCodes}. No other package imports picocli.
 */
package org.vit4j.cli;
