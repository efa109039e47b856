/** The pod garbage collector: force deletion of pods no node agent will finish. */
package io.kybern.controllers.podgc;
