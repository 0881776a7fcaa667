import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createWidgetRouter } from '../../api/widget/router';

const KEY = 'lf_pub_demo1234_secretsecretsecret';

// helmet in front, as in the API: the widget's own headers must win over its defaults.
const appWith = (opts: Parameters<typeof createWidgetRouter>[0]) =>
  express().use(helmet()).use(createWidgetRouter(opts));

describe('widget router', () => {
  it('serves /widget.js as cacheable JavaScript that other origins may load', async () => {
    const res = await request(appWith({ demo: false })).get('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.text).toContain('/v1/widget/config');
    expect(res.text).toContain('/v1/leads');
  });

  it('has no demo page unless asked', async () => {
    const res = await request(appWith({ demo: false, demoKey: async () => KEY })).get('/widget/demo');
    expect(res.status).toBe(404);
  });

  it('serves the demo page with the script tag, the demo key and a CSP that allows only its own content', async () => {
    const res = await request(appWith({ demo: true, demoKey: async () => KEY })).get('/widget/demo');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(`<script src="/widget.js" data-key="${KEY}" data-target="#leadflow" async></script>`);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('uses a fresh style nonce per response', async () => {
    const app = appWith({ demo: true, demoKey: async () => KEY });
    const [a, b] = await Promise.all([request(app).get('/widget/demo'), request(app).get('/widget/demo')]);
    expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
  });

  it('explains how to get a key when there is none, and embeds no script', async () => {
    const res = await request(appWith({ demo: true, demoKey: async () => null })).get('/widget/demo');
    expect(res.status).toBe(200);
    expect(res.text).toContain('No demo widget key yet');
    expect(res.text).toContain('npm start');
    expect(res.text).not.toContain('<script');
  });

  it('escapes the key into the page', async () => {
    const res = await request(appWith({ demo: true, demoKey: async () => 'lf_pub_"><img src=x>' })).get('/widget/demo');
    expect(res.text).not.toContain('<img src=x>');
    expect(res.text).toContain('data-key="lf_pub_&quot;&gt;&lt;img src=x&gt;"');
  });
});
