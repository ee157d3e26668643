// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded before it; importing x509 only through this module keeps that order.
import 'reflect-metadata';

export * from '@peculiar/x509';
