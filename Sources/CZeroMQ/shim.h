#ifndef SANJI_CZEROMQ_SHIM_H
#define SANJI_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
