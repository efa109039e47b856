/** How every kybern command logs: the format, the destination and the levels. */
package io.kybern.cli.logging;
